#!/usr/bin/perl
# SPDX-License-Identifier: BSD-2-Clause
# The forgery an AK certificate for a software key would allow, for the
# tests: a genuine attestation (ssh-keygen -O write-attestation) whose AK
# public area gets the software key's point, whose certInfo names that
# fake AK as its signer, and whose signature is the software key's. Found
# by content, not by the statement's layout: the AK public area is the
# machine's ak.tpmt, certInfo starts with TPM_GENERATED, the signature is
# the DER ECDSA signature ak.pem verifies over it. Uses openssl(1).
#
#   attest-forge.pl ATT AK.tpmt AK.pem SOFT.key OUT
use strict;
use warnings;
use Digest::SHA qw(sha256);
use File::Temp qw(tempdir);

my ($att_path, $tpmt_path, $akpem, $softkey, $out) = @ARGV;
die "usage: attest-forge.pl ATT AK.tpmt AK.pem SOFT.key OUT\n"
    unless defined $out;
my $dir = tempdir(CLEANUP => 1);

sub slurp {
	my ($p) = @_;
	open(my $f, '<:raw', $p) or die "$p: $!\n";
	local $/;
	my $d = <$f>;
	close $f;
	return $d;
}

sub spew {
	my ($p, $d) = @_;
	open(my $f, '>:raw', $p) or die "$p: $!\n";
	print $f $d;
	close $f or die "$p: $!\n";
}

# replace_once DATA OLD NEW: DATA with the one occurrence of OLD replaced
sub replace_once {
	my ($d, $old, $new) = @_;
	my $i = index($d, $old);
	die "not found\n" if $i < 0;
	die "found twice\n" if index($d, $old, $i + 1) >= 0;
	substr($d, $i, length($old)) = $new;
	return $d;
}

my $att = slurp($att_path);
my $tpmt = slurp($tpmt_path);
die "ak.tpmt is not an 88-byte ECC P-256 public area\n"
    unless length($tpmt) == 88;

# The software key's point: the last 64 bytes of its SubjectPublicKeyInfo.
system("openssl pkey -in '$softkey' -pubout -outform der " .
    "-out '$dir/soft.spki'") == 0 or die "openssl pkey\n";
my $xy = substr(slurp("$dir/soft.spki"), -64);
my $fake = $tpmt;
substr($fake, 22, 32) = substr($xy, 0, 32);
substr($fake, 56, 32) = substr($xy, 32, 32);

# certInfo: magic, type, qualifiedSigner, extraData, clockInfo (17),
# firmwareVersion (8), certified name and qualified name.
my $ci_at = index($att, "\xff\x54\x43\x47");
die "no certInfo\n" if $ci_at < 0;
my $p = $ci_at + 6;
my ($len, @sizes);
for my $k (0 .. 3) {
	$len = unpack('n', substr($att, $p, 2));
	push @sizes, $len;
	$p += 2 + $len;
	$p += 25 if $k == 1;
}
my $ci = substr($att, $ci_at, $p - $ci_at);
die "certInfo signer is not a SHA-256 Name\n" unless $sizes[0] == 34;

# The genuine signature: the DER ECDSA-Sig-Value that ak.pem verifies.
spew("$dir/ci", $ci);
my $sig;
while ($att =~ /\x30([\x40-\x48])\x02/g) {
	my $at = pos($att) - 3;
	my $cand = substr($att, $at, 2 + ord($1));
	spew("$dir/cand", $cand);
	if (system("openssl dgst -sha256 -verify '$akpem' -signature " .
	    "'$dir/cand' '$dir/ci' >/dev/null 2>&1") == 0) {
		$sig = $cand;
		last;
	}
	pos($att) = $at + 1;
}
die "no signature by ak.pem over certInfo\n" unless defined $sig;

# The fake AK's Name and the qualified name of a primary key of the
# endorsement hierarchy: nameAlg || H(TPM_RH_ENDORSEMENT's Name || Name).
my $name = "\x00\x0b" . sha256($fake);
my $qn = "\x00\x0b" . sha256("\x40\x00\x00\x0b" . $name);
my $fake_ci = $ci;
substr($fake_ci, 8, 34) = $qn;
spew("$dir/fake-ci", $fake_ci);

# A signature of the software key as long as the genuine one, so that no
# length in the statement changes.
my $fake_sig;
for (1 .. 200) {
	system("openssl dgst -sha256 -sign '$softkey' -out '$dir/fs' " .
	    "'$dir/fake-ci'") == 0 or die "openssl dgst -sign\n";
	my $s = slurp("$dir/fs");
	if (length($s) == length($sig)) {
		$fake_sig = $s;
		last;
	}
}
die "no signature of the right length\n" unless defined $fake_sig;

$att = replace_once($att, $tpmt, $fake);
$att = replace_once($att, $ci, $fake_ci);
$att = replace_once($att, $sig, $fake_sig);
spew($out, $att);
