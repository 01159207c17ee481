/*
 * Decoding a flattened device tree that came from somewhere untrusted
 * (guest memory, a user's file): every offset, size, name and token is
 * checked against the blob, and a problem becomes one line naming the
 * blob's address and the field ("fdt at 0x...: bad magic 0x... (expected
 * 0xd00dfeed)"). The parsed tree prints as dts (phandle references as
 * <&{/path}>), one path per line, or as a diff against another tree.
 */
#ifndef KWB_FDT_INSPECT_H
#define KWB_FDT_INSPECT_H

#include "kwb.h"
#include "monitor.h"

#define FDTI_MAX_SIZE (16u << 20)	/* larger blobs are taken as corrupt */
#define FDTI_HEADER_SIZE 40
#define FDTI_MAX_DEPTH 64
#define FDTI_MAX_NAME 255

typedef struct fdti_prop {
	const char *name;
	const uint8_t *val;
	uint32_t len;
	int node, next;		/* owning node; next property of that node or -1 */
} fdti_prop;

typedef struct fdti_node {
	const char *name;	/* "" for the root */
	int parent, depth;
	int end;		/* index after the node's last descendant (pre-order) */
	int first_prop, last_prop;
	uint32_t phandle;	/* 0: none */
} fdti_node;

typedef struct fdt_tree {
	const uint8_t *blob;	/* not owned */
	uint32_t size, version, boot_cpuid;
	fdti_node *nodes;
	int nnodes;
	fdti_prop *props;
	int nprops;
	uint64_t (*rsv)[2];	/* memory reservation entries */
	int nrsv;
	uint32_t (*phandles)[2];	/* (phandle, node) sorted by phandle */
	int nphandles;
} fdt_tree;

/*
 * Checks the header of a blob; what names it in messages ("fdt at
 * 0x48000000", "-dtb board.dtb"). len bytes of it are available (at least
 * FDTI_HEADER_SIZE to pass). Returns the totalsize to read, or 0 with the
 * reason in err ("<what>: bad magic 0x... (expected 0xd00dfeed)").
 */
uint32_t fdti_check_header(const void *hdr, size_t len, const char *what, char *err, size_t errlen);
/* Parses the whole blob (len >= its totalsize); 0 or -1 with one line in err.
 * The tree points into blob, which must outlive it. */
int fdti_parse(fdt_tree *t, const void *blob, size_t len, const char *what, char *err, size_t errlen);
void fdti_free(fdt_tree *t);

/* Node at a path ("/", "/soc/uart@10000000"; a component without a unit
 * address matches a unique "name@..."), or -1. */
int fdti_find(const fdt_tree *t, const char *path);
int fdti_prop_find(const fdt_tree *t, int node, const char *name);
/* Writes the node's full path (truncated to len). */
void fdti_path(const fdt_tree *t, int node, char *buf, size_t len);

/* dts: the whole file (/dts-v1/, /memreserve/, the root), one node with
 * its children, one property line. */
void fdti_print_dts(const fdt_tree *t, mon_out *o);
void fdti_print_node(const fdt_tree *t, int node, mon_out *o);
void fdti_print_prop(const fdt_tree *t, int prop, mon_out *o);
/* Every node path, one per line. */
void fdti_print_paths(const fdt_tree *t, mon_out *o);
/* Differences a -> b in the style of diff -u of the two dts texts (one
 * hunk per node); returns the number of differing items. */
int fdti_diff(const fdt_tree *a, const fdt_tree *b, const char *name_a, const char *name_b,
	      mon_out *o);

#endif
