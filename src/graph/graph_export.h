/* Export of the stored wallet graph for people who use graph databases
 * (docs/intelligence.md, "Export"):
 *
 *   graphml    one GraphML file: a node per wallet (its cluster id, label,
 *              role and the cluster's insider likelihood when it is in
 *              one), an edge per stored edge (kind, weight, count,
 *              first/last ms; FUNDED_BY and SWEEP directed from the funded
 *              wallet to its funder, the others undirected);
 *   neo4j-csv  a folder with wallets.csv, clusters.csv (nodes) and
 *              relationships.csv, members.csv (relationships: the edges by
 *              kind, and MEMBER_OF), with the header syntax of
 *              `neo4j-admin database import full`.
 *
 * Reads the store (edges, clusters, members as the last rebuild saved
 * them); any thread. */
#ifndef WT_GRAPH_GRAPH_EXPORT_H
#define WT_GRAPH_GRAPH_EXPORT_H

#include <stddef.h>

struct store;

enum graph_export_format { GRAPH_EXPORT_GRAPHML = 1, GRAPH_EXPORT_NEO4J_CSV };

/* "graphml" or "neo4j-csv". Returns 0 or WT_EINVAL. */
int graph_export_format_parse(const char *s, enum graph_export_format *out);

struct graph_export_stats {
    size_t wallets, edges, clusters, members, files;
};

/* Writes the export to path (a file for graphml; a folder, created when
 * missing, for neo4j-csv). Returns 0, WT_EIO, WT_ESTORE. */
int graph_export(struct store *st, enum graph_export_format f, const char *path,
                 struct graph_export_stats *out);

#endif
