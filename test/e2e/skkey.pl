#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
# Inspect or edit an unencrypted OpenSSH sk-ecdsa private key, for the
# hostile-input tests. Reads the binary key (the base64 between the armour
# lines, already decoded) on stdin; lib.sh's skkey() does the armour.
#
#   skkey.pl info                 print "application", "flags 0xNN",
#                                 "handle_len N", "handle HEX" and, when the
#                                 handle is an sk-tpm CBOR map, "field K
#                                 OFFSET LEN" for each byte-string value
#                                 (offset of its content within the handle)
#   skkey.pl xor OFFSET BYTE      handle[OFFSET] ^= BYTE     } write the
#   skkey.pl truncate N           keep the first N bytes     } edited key
#   skkey.pl set HEX              replace the handle         } to stdout
#   skkey.pl flags 0xNN           set the flags byte (what OpenSSH 10.5's
#                                 ssh-keygen -p -O [no-]verify-required and
#                                 [no-]touch-required change)
#   skkey.pl shrink-field K N     cut byte-string field K of the handle's
#                                 CBOR map to its first N bytes, fixing the
#                                 CBOR length (the map stays well-formed)
#
# Layout (PROTOCOL.key): "openssh-key-v1\0", string cipher, string kdf,
# string kdfoptions, uint32 nkeys, string public blob, string private
# section; private section: uint32 check x2, string type, string curve,
# string Q, string application, byte flags, string key handle, string
# reserved, string comment, padding 1,2,3... to a multiple of 8. Edits keep
# every length prefix and the padding right, so OpenSSH parses the file
# and hands the edited handle to the provider. Only perl-base is used.
use strict;
use warnings;

binmode STDIN;
binmode STDOUT;
local $/;
my $buf = <STDIN>;
my $pos = 0;

sub take {
	my ($n) = @_;
	die "skkey: truncated key file\n" if $pos + $n > length $buf;
	my $s = substr($buf, $pos, $n);
	$pos += $n;
	return $s;
}
sub u32 { return unpack('N', take(4)); }
sub str { return take(u32()); }
sub sstr { return pack('N', length $_[0]) . $_[0]; }

my $magic = take(15);
die "skkey: not an openssh-key-v1 file\n" unless $magic eq "openssh-key-v1\0";
my ($cipher, $kdf, $kdfopt) = (str(), str(), str());
die "skkey: the key is encrypted (cipher $cipher)\n" unless $cipher eq 'none';
my $nkeys = u32();
die "skkey: $nkeys keys in the file\n" unless $nkeys == 1;
my $pubblob = str();
my $priv = str();
die "skkey: trailing bytes after the private section\n" if $pos != length $buf;

$buf = $priv;
$pos = 0;
my ($check1, $check2) = (u32(), u32());
my ($type, $curve, $q, $app) = (str(), str(), str(), str());
die "skkey: not an sk-ecdsa key ($type)\n"
    unless $type eq 'sk-ecdsa-sha2-nistp256@openssh.com';
my $flags = ord(take(1));
my $handle = str();
my ($reserved, $comment) = (str(), str());

# CBOR head at offset $o of $h: (major type, value, head length).
sub cbor_head {
	my ($h, $o) = @_;
	die "skkey: CBOR head beyond the handle\n" if $o >= length $h;
	my $b = ord(substr($h, $o, 1));
	my ($major, $ai) = ($b >> 5, $b & 31);
	return ($major, $ai, 1) if $ai < 24;
	my %n = (24 => 1, 25 => 2, 26 => 4);
	die "skkey: unsupported CBOR head 0x" . sprintf('%02x', $b) . "\n"
	    unless exists $n{$ai};
	my $v = 0;
	$v = $v * 256 + ord($_) for split //, substr($h, $o + 1, $n{$ai});
	return ($major, $v, 1 + $n{$ai});
}

# The byte-string values of an sk-tpm handle's top-level map, as
# { key => [offset of the head, head length, content length] }.
sub cbor_fields {
	my ($h) = @_;
	my ($major, $n, $l) = cbor_head($h, 0);
	return {} unless $major == 5;
	my $o = $l;
	my %f;
	for (1 .. $n) {
		my ($km, $k, $kl) = cbor_head($h, $o);
		die "skkey: map key is not an unsigned integer\n" unless $km == 0;
		$o += $kl;
		my ($vm, $v, $vl) = cbor_head($h, $o);
		if ($vm == 2 || $vm == 3) {
			$f{$k} = [$o, $vl, $v] if $vm == 2;
			$o += $vl + $v;
		} elsif ($vm == 0) {
			$o += $vl;
		} else {
			die "skkey: unexpected CBOR major type $vm\n";
		}
	}
	return \%f;
}

sub cbor_bytes_head {
	my ($n) = @_;
	return chr(0x40 | $n) if $n < 24;
	return chr(0x58) . chr($n) if $n < 256;
	return chr(0x59) . pack('n', $n);
}

my $cmd = shift @ARGV // die "usage: skkey.pl info|xor|truncate|flags|set|shrink-field ...\n";
if ($cmd eq 'info') {
	print "application $app\n";
	printf "flags 0x%02x\n", $flags;
	printf "handle_len %d\n", length $handle;
	print 'handle ', unpack('H*', $handle), "\n";
	my $f = eval { cbor_fields($handle) } // {};
	for my $k (sort { $a <=> $b } keys %$f) {
		my ($o, $hl, $n) = @{$f->{$k}};
		printf "field %d %d %d\n", $k, $o + $hl, $n;
	}
	exit 0;
} elsif ($cmd eq 'xor') {
	my ($off, $x) = @ARGV;
	die "skkey: offset $off outside the handle\n" if $off >= length $handle;
	substr($handle, $off, 1) = chr(ord(substr($handle, $off, 1)) ^ hex($x));
} elsif ($cmd eq 'truncate') {
	my ($n) = @ARGV;
	$handle = substr($handle, 0, $n);
} elsif ($cmd eq 'flags') {
	my ($f) = @ARGV;
	die "skkey: flags $f is not one byte\n" unless hex($f) < 256;
	$flags = hex($f);
} elsif ($cmd eq 'set') {
	my ($hex) = @ARGV;
	$handle = pack('H*', $hex);
} elsif ($cmd eq 'shrink-field') {
	my ($k, $n) = @ARGV;
	my $f = cbor_fields($handle);
	die "skkey: no byte-string field $k\n" unless exists $f->{$k};
	my ($o, $hl, $len) = @{$f->{$k}};
	die "skkey: field $k is only $len bytes\n" if $n > $len;
	substr($handle, $o, $hl + $len) =
	    cbor_bytes_head($n) . substr($handle, $o + $hl, $n);
} else {
	die "skkey: unknown command $cmd\n";
}

my $p = pack('NN', $check1, $check2) . sstr($type) . sstr($curve) .
    sstr($q) . sstr($app) . chr($flags) . sstr($handle) . sstr($reserved) .
    sstr($comment);
my $i = 1;
$p .= chr($i++) while length($p) % 8;
print $magic, sstr($cipher), sstr($kdf), sstr($kdfopt), pack('N', 1),
    sstr($pubblob), sstr($p);
