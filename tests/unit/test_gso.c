/* test_gso.c - TCP segments joined into one GSO frame (daemon/gso.c):
 * cutting the joined frame as the kernel does gives back exactly the
 * segments lwIP made, its partial checksum completes to the right one,
 * and segments that must not be joined are not
 */
#include <criterion/criterion.h>
#include <string.h>

#include "gso.h"

#define NSEG    5
#define MSS     1000
#define FRAME   (GSO_HDR_MAX + MSS)

/* One test segment as lwIP would send it. */
struct frame {
	uint8_t b[FRAME];
	size_t len;
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)(v >> 16)); wr16(p + 2, (uint16_t)v); }

/* csum() - one's-complement sum of @len bytes (odd length padded) */
static uint32_t csum(uint32_t s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)(p[i] << 8) | (i + 1 < len ? p[i + 1] : 0);
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* tcp_csum() - the full TCP checksum of frame @f (@len), computed from
 * scratch with the checksum field taken as zero: the reference
 */
static uint16_t tcp_csum(const uint8_t *f, size_t len, bool v6)
{
	size_t l4 = v6 ? 54 : 34, tl = len - l4;
	uint8_t tcp[65536];
	uint32_t s = 6 + (uint32_t)(tl >> 16) + (uint32_t)(tl & 0xffff);

	s = v6 ? csum(s, f + 22, 32) : csum(s, f + 26, 8);
	memcpy(tcp, f + l4, tl);
	wr16(tcp + 16, 0);
	return (uint16_t)~fold(csum(s, tcp, tl));
}

/* ip4_csum() - fill in the IPv4 header checksum of @f */
static void ip4_csum(uint8_t *f)
{
	wr16(f + 24, 0);
	wr16(f + 24, (uint16_t)~fold(csum(0, f + 14, 20)));
}

/* make() - segment @i of a connection: @mss bytes of data (fewer for a
 * short last one: @plen), IPv4 id 100 + i, sequence 5000 + i * @mss, PSH
 * on @psh, full checksums
 */
static void make(struct frame *fr, bool v6, int i, size_t plen, bool psh)
{
	uint8_t *f = fr->b;
	size_t l4 = v6 ? 54 : 34;

	memset(f, 0, sizeof(fr->b));
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	wr16(f + 12, v6 ? 0x86dd : 0x0800);
	if (v6) {
		f[14] = 0x60;
		wr16(f + 18, (uint16_t)(20 + plen));
		f[20] = 6;
		f[21] = 64;
		f[22] = 0xfd; f[37] = 2;        /* fd00::2 */
		f[38] = 0xfd; f[53] = 1;        /* fd00::1 */
	} else {
		f[14] = 0x45;
		wr16(f + 16, (uint16_t)(40 + plen));
		wr16(f + 18, (uint16_t)(100 + i));
		f[22] = 255;
		f[23] = 6;
		wr32(f + 26, 0x0a000002);
		wr32(f + 30, 0x0a000001);
		ip4_csum(f);
	}
	wr16(f + l4, 40000);
	wr16(f + l4 + 2, 80);
	wr32(f + l4 + 4, 5000 + (uint32_t)i * MSS);
	wr32(f + l4 + 8, 777);
	f[l4 + 12] = 5 << 4;
	f[l4 + 13] = 0x10 | (psh ? 0x08 : 0);
	wr16(f + l4 + 14, 8192);
	for (size_t k = 0; k < plen; k++)
		f[l4 + 20 + k] = (uint8_t)(i * 7 + k);
	fr->len = l4 + 20 + plen;
	wr16(f + l4 + 16, tcp_csum(f, fr->len, v6));
}

/* gso_parse() - what link_gso.c asks of a segment it holds: TCP that
 * may be joined; 0 if so
 */
static int gso_parse(const uint8_t *f, size_t avail, size_t len, struct gso_seg *s)
{
	return gso_parse_tcp(f, avail, len, s) || !gso_may_join(s) ? -1 : 0;
}

/* join_all() - join @n segments as link_gso.c does; the joined frame in
 * @out, its length returned; fails the test if one is refused
 */
static size_t join_all(struct frame *seg, int n, uint8_t *out, struct gso_seg *s0)
{
	uint32_t held = 0, last = 0;
	bool psh = false;
	size_t len;

	for (int i = 0; i < n; i++) {
		struct gso_seg s;

		cr_assert_eq(gso_parse(seg[i].b, seg[i].len, seg[i].len, &s), 0, "segment %d", i);
		if (i == 0)
			*s0 = s;
		else
			cr_assert(gso_joinable(seg[0].b, s0, held, last, seg[i].b, &s), "segment %d", i);
		held += s.payload;
		last = s.payload;
		psh |= seg[i].b[s.l4 + 13] & 0x08;
	}
	memcpy(out, seg[0].b, s0->hdr_len);
	len = s0->hdr_len;
	for (int i = 0; i < n; i++) {
		memcpy(out + len, seg[i].b + s0->hdr_len, seg[i].len - s0->hdr_len);
		len += seg[i].len - s0->hdr_len;
	}
	gso_finish(out, s0, held, psh);
	return len;
}

/* cut() - what the kernel's TCP segmentation makes of joined frame @j:
 * piece @i of gso_size @mss, checksums completed; its length
 */
static size_t cut(const uint8_t *j, size_t jlen, const struct gso_seg *s0, int i,
		  uint8_t *out)
{
	size_t h = s0->hdr_len, off = h + (size_t)i * MSS;
	size_t plen = jlen - off < MSS ? jlen - off : MSS;
	bool lastp = off + plen == jlen;
	uint8_t flags;

	memcpy(out, j, h);
	memcpy(out + h, j + off, plen);
	if (s0->v6) {
		wr16(out + 18, (uint16_t)(h - 54 + plen));
	} else {
		wr16(out + 16, (uint16_t)(h - 14 + plen));
		wr16(out + 18, (uint16_t)(rd16(j + 18) + i));
		ip4_csum(out);
	}
	wr32(out + s0->l4 + 4, s0->seq + (uint32_t)i * MSS);
	flags = j[s0->l4 + 13];
	out[s0->l4 + 13] = lastp ? flags : (uint8_t)(flags & ~0x08);
	wr16(out + s0->l4 + 16, tcp_csum(out, h + plen, s0->v6));
	return h + plen;
}

/* round_trip() - join NSEG segments (the last @short_last bytes short)
 * and check that cutting gives each back byte for byte
 */
static void round_trip(bool v6, size_t short_last)
{
	static struct frame seg[NSEG];
	static uint8_t joined[65536], piece[FRAME];
	struct gso_seg s0;
	size_t jlen;

	for (int i = 0; i < NSEG; i++)
		make(&seg[i], v6, i, i == NSEG - 1 ? MSS - short_last : MSS, i == NSEG - 1);
	jlen = join_all(seg, NSEG, joined, &s0);
	cr_assert_eq(jlen, s0.hdr_len + (size_t)NSEG * MSS - short_last);
	cr_assert_eq(s0.payload, MSS);
	for (int i = 0; i < NSEG; i++) {
		size_t plen = cut(joined, jlen, &s0, i, piece);

		cr_assert_eq(plen, seg[i].len, "piece %d", i);
		cr_assert_arr_eq(piece, seg[i].b, plen, "piece %d differs", i);
	}
}

Test(gso, ipv4_cut_gives_back_the_segments) { round_trip(false, 0); }
Test(gso, ipv6_cut_gives_back_the_segments) { round_trip(true, 0); }
Test(gso, short_last_segment) { round_trip(false, 333); round_trip(true, 1); }

/* The pseudo-header sum left in the field completes, over the joined
 * segment as "the hardware" sums it, to the segment's full checksum. */
static void partial_completes(bool v6)
{
	static struct frame seg[NSEG];
	static uint8_t joined[65536];
	struct gso_seg s0;
	size_t jlen;
	uint16_t hw;

	for (int i = 0; i < NSEG; i++)
		make(&seg[i], v6, i, MSS, false);
	jlen = join_all(seg, NSEG, joined, &s0);
	hw = (uint16_t)~fold(csum(0, joined + s0.l4, jlen - s0.l4));
	cr_assert_eq(hw, tcp_csum(joined, jlen, v6));
	if (!v6)
		cr_assert_eq(fold(csum(0, joined + 14, 20)), 0xffff, "IPv4 header checksum");
	cr_assert_eq(rd16(joined + (v6 ? 18 : 16)), jlen - (v6 ? 54 : 14), "IP length");
}

Test(gso, partial_checksum_completes_ipv4) { partial_completes(false); }
Test(gso, partial_checksum_completes_ipv6) { partial_completes(true); }

/* second() - is segment 1, changed by @edit, joinable after segment 0? */
static bool second(bool v6, void (*edit)(uint8_t *f, size_t l4), size_t plen0, size_t plen1)
{
	struct frame a, b;
	struct gso_seg s0, s1;

	make(&a, v6, 0, plen0, false);
	make(&b, v6, 1, plen1, false);
	if (edit)
		edit(b.b, v6 ? 54 : 34);
	if (gso_parse(b.b, b.len, b.len, &s1))
		return false;
	cr_assert_eq(gso_parse(a.b, a.len, a.len, &s0), 0);
	return gso_joinable(a.b, &s0, s0.payload, s0.payload, b.b, &s1);
}

static void ack_moved(uint8_t *f, size_t l4) { f[l4 + 11]++; }
static void window_moved(uint8_t *f, size_t l4) { f[l4 + 15]++; }
static void seq_gap(uint8_t *f, size_t l4) { f[l4 + 7]++; }
static void other_port(uint8_t *f, size_t l4) { f[l4 + 1]++; }
static void fin(uint8_t *f, size_t l4) { f[l4 + 13] |= 0x01; }
static void syn(uint8_t *f, size_t l4) { f[l4 + 13] |= 0x02; }
static void rst(uint8_t *f, size_t l4) { f[l4 + 13] |= 0x04; }
static void urg(uint8_t *f, size_t l4) { f[l4 + 13] |= 0x20; }
static void psh(uint8_t *f, size_t l4) { f[l4 + 13] |= 0x08; }
static void other_mac(uint8_t *f, size_t l4) { (void)l4; f[5]++; }
static void ttl(uint8_t *f, size_t l4) { (void)l4; f[22]++; }
static void hop(uint8_t *f, size_t l4) { (void)l4; f[21]++; }
static void ip4_dst(uint8_t *f, size_t l4) { (void)l4; f[33]++; }
static void ip6_src(uint8_t *f, size_t l4) { (void)l4; f[30]++; }

Test(gso, joins_the_next_segment)
{
	cr_assert(second(false, NULL, MSS, MSS));
	cr_assert(second(true, NULL, MSS, 10));
	cr_assert(second(false, psh, MSS, MSS), "PSH may differ");
}

Test(gso, refuses_what_segmentation_would_not_give_back)
{
	cr_assert_not(second(false, ack_moved, MSS, MSS), "ACK number");
	cr_assert_not(second(false, window_moved, MSS, MSS), "window");
	cr_assert_not(second(false, seq_gap, MSS, MSS), "sequence gap");
	cr_assert_not(second(false, other_port, MSS, MSS), "another connection");
	cr_assert_not(second(false, other_mac, MSS, MSS), "another MAC");
	cr_assert_not(second(false, ttl, MSS, MSS), "TTL");
	cr_assert_not(second(false, ip4_dst, MSS, MSS), "IPv4 destination");
	cr_assert_not(second(true, hop, MSS, MSS), "hop limit");
	cr_assert_not(second(true, ip6_src, MSS, MSS), "IPv6 source");
	cr_assert_not(second(false, NULL, MSS - 1, MSS - 1), "after a short segment");
	cr_assert_not(second(false, NULL, 500, 600), "longer than the first");
	cr_assert_not(second(false, fin, MSS, MSS), "FIN");
	cr_assert_not(second(false, syn, MSS, MSS), "SYN");
	cr_assert_not(second(false, rst, MSS, MSS), "RST");
	cr_assert_not(second(false, urg, MSS, MSS), "URG");
}

Test(gso, parse_refuses_other_frames)
{
	struct frame f;
	struct gso_seg s;

	make(&f, false, 0, MSS, false);
	cr_assert_eq(gso_parse(f.b, f.len, f.len, &s), 0);
	cr_assert_neq(gso_parse(f.b, 40, f.len, &s), 0, "headers not contiguous");
	cr_assert_neq(gso_parse(f.b, f.len, f.len + 2, &s), 0, "padded frame");
	f.b[20] = 0x20;                         /* more fragments */
	cr_assert_neq(gso_parse(f.b, f.len, f.len, &s), 0, "IPv4 fragment");
	make(&f, false, 0, MSS, false);
	f.b[14] = 0x46;                         /* IPv4 options */
	cr_assert_neq(gso_parse(f.b, f.len, f.len, &s), 0, "IPv4 options");
	make(&f, false, 0, MSS, false);
	f.b[23] = 17;
	cr_assert_neq(gso_parse(f.b, f.len, f.len, &s), 0, "UDP");
	make(&f, true, 0, MSS, false);
	f.b[20] = 0;                            /* hop-by-hop header */
	cr_assert_neq(gso_parse(f.b, f.len, f.len, &s), 0, "IPv6 extension header");
	make(&f, false, 0, 0, false);
	cr_assert_neq(gso_parse(f.b, f.len, f.len, &s), 0, "no data (a pure ACK)");
	make(&f, false, 0, MSS, false);
	f.b[34 + 12] = 15 << 4;                 /* TCP header past the frame */
	cr_assert_neq(gso_parse(f.b, 60, f.len, &s), 0, "TCP header past the contiguous part");
}

Test(gso, batch_stays_below_the_ip_length_limit)
{
	struct frame a, b;
	struct gso_seg s0, s1;

	make(&a, false, 0, MSS, false);
	make(&b, false, 1, MSS, false);
	cr_assert_eq(gso_parse(a.b, a.len, a.len, &s0), 0);
	cr_assert_eq(gso_parse(b.b, b.len, b.len, &s1), 0);
	s1.seq = s0.seq + 65 * MSS;
	cr_assert_not(gso_joinable(a.b, &s0, 65 * MSS, MSS, b.b, &s1));
	s1.seq = s0.seq + 64 * MSS;
	cr_assert(gso_joinable(a.b, &s0, 64 * MSS, MSS, b.b, &s1));
}
