/*
 * report-font.c: completes libharu's TrueType subset before saving.
 *
 * libharu 2.3.0 embeds only the glyphs a document uses. For a composite
 * glyph it marks the components one level deep, but DejaVu builds many
 * Vietnamese letters from composites of composites ("ầ" is "a" plus the
 * composite circumflex-grave accent), so those accents came out blank.
 * Before saving, this walks every used glyph's component tree in the font
 * file and marks all of it, through libharu's published fontdef structs
 * (hpdf_fontdef.h, hpdf_font.h). It calls no other file of the report;
 * report-pdf.c calls it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <hpdf.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>

#include "lib/xmalloc.h"
#include "tools/report/report-font.h"

#define GLYPH_MAX 65536 /* bytes of one glyph we read */

/* Component flags of the TrueType 'glyf' table. */
#define ARG_1_AND_2_ARE_WORDS 0x0001
#define WE_HAVE_A_SCALE 0x0008
#define MORE_COMPONENTS 0x0020
#define WE_HAVE_AN_X_AND_Y_SCALE 0x0040
#define WE_HAVE_A_TWO_BY_TWO 0x0080

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * Reads glyph GID's components and pushes the ones not yet marked onto
 * STACK (room for num_glyphs entries: each glyph is pushed at most once).
 */
static int
components(int fd, HPDF_TTFontDefAttr ta, unsigned gid, unsigned *stack,
    size_t *top, unsigned char *g)
{
	HPDF_UINT32 off = ta->glyph_tbl.offsets[gid];
	HPDF_UINT32 end = ta->glyph_tbl.offsets[gid + 1];
	size_t len, p = 10;
	unsigned flags, comp;
	ssize_t got;

	if (ta->header.index_to_loc_format == 0) {
		off *= 2;
		end *= 2;
	}
	if (end <= off + 10 || end - off > GLYPH_MAX)
		return 0; /* empty or implausible: nothing to follow */
	len = end - off;
	got = pread(fd, g, len, (off_t)ta->glyph_tbl.base_offset + off);
	if (got != (ssize_t)len)
		return -1;
	if ((short)be16(g) >= 0)
		return 0; /* a simple glyph */
	do {
		if (p + 4 > len)
			return 0;
		flags = be16(g + p);
		comp = be16(g + p + 2);
		p += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
		p += flags & WE_HAVE_A_SCALE	     ? 2 :
		    flags & WE_HAVE_AN_X_AND_Y_SCALE ? 4 :
		    flags & WE_HAVE_A_TWO_BY_TWO     ? 8 :
						       0;
		if (comp < ta->num_glyphs && !ta->glyph_tbl.flgs[comp]) {
			ta->glyph_tbl.flgs[comp] = 1;
			stack[(*top)++] = comp;
		}
	} while (flags & MORE_COMPONENTS);
	return 0;
}

/*
 * Marks every component, at any depth, of the glyphs FONT has used so far,
 * reading the glyph data from PATH (the file FONT was loaded from).
 * Returns 0, or -1 with *CAUSE when the file cannot be read.
 */
int
report_font_complete(HPDF_Font font, const char *path, char **cause)
{
	HPDF_FontAttr fa = font ? (HPDF_FontAttr)font->attr : NULL;
	HPDF_TTFontDefAttr ta;
	unsigned *stack = NULL, gid;
	unsigned char *g = NULL;
	size_t top = 0;
	int fd = -1, rc = -1;

	if (fa == NULL || fa->fontdef == NULL ||
	    fa->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE)
		return 0;
	ta = fa->fontdef->attr;
	if (ta == NULL || ta->glyph_tbl.flgs == NULL || !ta->embedding)
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = xasprintf("font %s: %s", path, strerror(errno));
		return -1;
	}
	stack = xcalloc(ta->num_glyphs + 1u, sizeof *stack);
	g = xmalloc(GLYPH_MAX);
	for (gid = 0; gid < ta->num_glyphs; gid++)
		if (ta->glyph_tbl.flgs[gid])
			stack[top++] = gid;
	while (top > 0) {
		if (components(fd, ta, stack[--top], stack, &top, g) != 0) {
			*cause = xasprintf("font %s: cannot read glyph data",
			    path);
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	free(stack);
	free(g);
	return rc;
}
