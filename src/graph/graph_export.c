/* Export of the stored wallet graph for graph databases (graph_export.h):
 * GraphML (one file) and the CSV files `neo4j-admin database import full`
 * reads (docs/intelligence.md, "Export"). */
#include "graph/graph_export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/mem.h"
#include "base/str.h"
#include "base/vec.h"
#include "store/store.h"

int graph_export_format_parse(const char *s, enum graph_export_format *out)
{
    if (s && strcmp(s, "graphml") == 0)
        *out = GRAPH_EXPORT_GRAPHML;
    else if (s && strcmp(s, "neo4j-csv") == 0)
        *out = GRAPH_EXPORT_NEO4J_CSV;
    else
        return WT_EINVAL;
    return 0;
}

/* What is exported, read whole (a graph of a few hundred thousand edges
 * fits; the rows are small). */
struct member {
    int64_t cluster_id;
    char wallet[BASE58_KEY_MAX];
};

struct snapshot {
    VEC(struct graph_edge_row) edges;
    VEC(struct cluster_row) clusters;
    VEC(struct member) members;
    VEC(char *) wallets; /* sorted, unique */
};

static int on_member(void *ctx, int64_t cluster_id, const char *wallet)
{
    struct snapshot *s = ctx;
    struct member *m = vec_push_zero(&s->members);
    m->cluster_id = cluster_id;
    str_copy(m->wallet, sizeof m->wallet, wallet);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load(struct store *st, struct snapshot *s)
{
    struct graph_edge_row *page = xmalloc(1000 * sizeof *page);
    struct row_query q = {.limit = 1000};
    int rc;
    for (;;) {
        size_t n = 0;
        if ((rc = store_list_edge(st, &q, page, &n)) != 0)
            break;
        for (size_t i = 0; i < n; i++)
            vec_push(&s->edges, page[i]);
        if (n < q.limit)
            break;
        q.after_id = page[n - 1].id;
    }
    free(page);
    struct cluster_filter f = {.sort = CLUSTER_SORT_UPDATED, .ascending = true, .limit = 1000};
    struct cluster_row *cp = xmalloc(1000 * sizeof *cp);
    for (f.page = 1; rc == 0; f.page++) {
        size_t n = 0;
        int64_t total = 0;
        if ((rc = store_clusters_query(st, &f, cp, &n, &total)) != 0)
            break;
        for (size_t i = 0; i < n; i++)
            vec_push(&s->clusters, cp[i]);
        if (n < f.limit)
            break;
    }
    free(cp);
    if (rc == 0)
        rc = store_cluster_members_scan(st, false, on_member, s);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < s->edges.len; i++) {
        vec_push(&s->wallets, s->edges.v[i].src);
        vec_push(&s->wallets, s->edges.v[i].dst);
    }
    for (size_t i = 0; i < s->members.len; i++)
        vec_push(&s->wallets, s->members.v[i].wallet);
    if (s->wallets.len > 1)
        qsort(s->wallets.v, s->wallets.len, sizeof(char *), cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < s->wallets.len; i++)
        if (k == 0 || strcmp(s->wallets.v[i], s->wallets.v[k - 1]) != 0)
            s->wallets.v[k++] = s->wallets.v[i];
    s->wallets.len = k;
    return 0;
}

/* The first cluster of a wallet (members are few: a linear scan). */
static const struct member *cluster_of(const struct snapshot *s, const char *w)
{
    for (size_t i = 0; i < s->members.len; i++)
        if (strcmp(s->members.v[i].wallet, w) == 0)
            return &s->members.v[i];
    return NULL;
}

static const struct cluster_row *cluster_row_of(const struct snapshot *s, int64_t id)
{
    for (size_t i = 0; i < s->clusters.len; i++)
        if (s->clusters.v[i].id == id)
            return &s->clusters.v[i];
    return NULL;
}

static bool directed(const char *kind)
{
    return strcmp(kind, "FUNDED_BY") == 0 || strcmp(kind, "SWEEP") == 0;
}

/* XML text: the stored values are base58, labels and kind names, but
 * escape anyway. */
static void xml(FILE *fp, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", fp);
            break;
        case '>':
            fputs("&gt;", fp);
            break;
        case '&':
            fputs("&amp;", fp);
            break;
        case '"':
            fputs("&quot;", fp);
            break;
        default:
            fputc(*s, fp);
        }
    }
}

static int write_graphml(const struct snapshot *s, const char *path, struct graph_export_stats *o)
{
    FILE *fp = fopen(path, "w");
    if (!fp)
        return WT_EIO;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n"
          "  <key id=\"cluster\" for=\"node\" attr.name=\"cluster\" attr.type=\"long\"/>\n"
          "  <key id=\"clusterLabel\" for=\"node\" attr.name=\"clusterLabel\" "
          "attr.type=\"string\"/>\n"
          "  <key id=\"role\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n"
          "  <key id=\"insider\" for=\"node\" attr.name=\"insiderLikelihood\" "
          "attr.type=\"double\"/>\n"
          "  <key id=\"kind\" for=\"edge\" attr.name=\"kind\" attr.type=\"string\"/>\n"
          "  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "  <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"int\"/>\n"
          "  <key id=\"firstMs\" for=\"edge\" attr.name=\"firstMs\" attr.type=\"long\"/>\n"
          "  <key id=\"lastMs\" for=\"edge\" attr.name=\"lastMs\" attr.type=\"long\"/>\n"
          "  <graph id=\"walltrack\" edgedefault=\"undirected\">\n",
          fp);
    for (size_t i = 0; i < s->wallets.len; i++) {
        const char *w = s->wallets.v[i];
        fputs("    <node id=\"", fp);
        xml(fp, w);
        fputs("\">", fp);
        const struct member *m = cluster_of(s, w);
        const struct cluster_row *c = m ? cluster_row_of(s, m->cluster_id) : NULL;
        if (c) {
            fprintf(fp, "<data key=\"cluster\">%lld</data><data key=\"clusterLabel\">",
                    (long long)c->id);
            xml(fp, c->label);
            fprintf(fp, "</data><data key=\"role\">%s</data><data key=\"insider\">%.6f</data>",
                    strcmp(c->leader, w) == 0 ? "leader" : "follower", c->insider);
        }
        fputs("</node>\n", fp);
    }
    for (size_t i = 0; i < s->edges.len; i++) {
        const struct graph_edge_row *e = &s->edges.v[i];
        fprintf(fp, "    <edge id=\"e%zu\" source=\"", i + 1);
        xml(fp, e->src);
        fputs("\" target=\"", fp);
        xml(fp, e->dst);
        fprintf(fp, "\" directed=\"%s\"><data key=\"kind\">", directed(e->kind) ? "true" : "false");
        xml(fp, e->kind);
        fprintf(fp,
                "</data><data key=\"weight\">%.6f</data><data key=\"count\">%d</data><data "
                "key=\"firstMs\">%lld</data><data key=\"lastMs\">%lld</data></edge>\n",
                e->weight, e->count, (long long)e->first_ms, (long long)e->last_ms);
    }
    fputs("  </graph>\n</graphml>\n", fp);
    o->files = 1;
    return fclose(fp) == 0 ? 0 : WT_EIO;
}

static FILE *open_in(const char *dir, const char *name)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s/%s", dir, name) >= (int)sizeof p)
        return NULL;
    return fopen(p, "w");
}

/* Values are base58, labels "cluster-<n>" and kind names: no commas or
 * quotes; quoted anyway where text. */
static int write_neo4j(const struct snapshot *s, const char *dir, struct graph_export_stats *o)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return WT_EIO;
    FILE *fw = open_in(dir, "wallets.csv"), *fc = open_in(dir, "clusters.csv");
    FILE *fr = open_in(dir, "relationships.csv"), *fm = open_in(dir, "members.csv");
    int rc = fw && fc && fr && fm ? 0 : WT_EIO;
    if (rc == 0) {
        fputs("address:ID(Wallet),:LABEL\n", fw);
        for (size_t i = 0; i < s->wallets.len; i++)
            fprintf(fw, "\"%s\",Wallet\n", s->wallets.v[i]);
        fputs("id:ID(Cluster),label,leader,leaderRule,size:int,cohesion:double,"
              "insiderLikelihood:double,pnlSol:double,tokensTogether:int,blacklisted:boolean,"
              "createdMs:long,updatedMs:long,:LABEL\n",
              fc);
        for (size_t i = 0; i < s->clusters.len; i++) {
            const struct cluster_row *c = &s->clusters.v[i];
            fprintf(fc, "%lld,\"%s\",\"%s\",\"%s\",%d,%.6f,%.6f,%.6f,%d,%s,%lld,%lld,Cluster\n",
                    (long long)c->id, c->label, c->leader, c->leader_rule, c->size, c->cohesion,
                    c->insider, c->pnl_sol, c->tokens, c->blacklisted ? "true" : "false",
                    (long long)c->created_ms, (long long)c->updated_ms);
        }
        fputs(":START_ID(Wallet),:END_ID(Wallet),:TYPE,weight:double,count:int,firstMs:long,"
              "lastMs:long\n",
              fr);
        for (size_t i = 0; i < s->edges.len; i++) {
            const struct graph_edge_row *e = &s->edges.v[i];
            fprintf(fr, "\"%s\",\"%s\",%s,%.6f,%d,%lld,%lld\n", e->src, e->dst, e->kind, e->weight,
                    e->count, (long long)e->first_ms, (long long)e->last_ms);
        }
        fputs(":START_ID(Wallet),:END_ID(Cluster),:TYPE,role\n", fm);
        for (size_t i = 0; i < s->members.len; i++) {
            const struct member *m = &s->members.v[i];
            const struct cluster_row *c = cluster_row_of(s, m->cluster_id);
            fprintf(fm, "\"%s\",%lld,MEMBER_OF,%s\n", m->wallet, (long long)m->cluster_id,
                    c && strcmp(c->leader, m->wallet) == 0 ? "leader" : "follower");
        }
        o->files = 4;
    }
    FILE *all[] = {fw, fc, fr, fm};
    for (int i = 0; i < 4; i++)
        if (all[i] && fclose(all[i]) != 0)
            rc = WT_EIO;
    return rc;
}

int graph_export(struct store *st, enum graph_export_format f, const char *path,
                 struct graph_export_stats *out)
{
    memset(out, 0, sizeof *out);
    struct snapshot s = {0};
    int rc = load(st, &s);
    if (rc == 0) {
        out->wallets = s.wallets.len;
        out->edges = s.edges.len;
        out->clusters = s.clusters.len;
        out->members = s.members.len;
        rc = f == GRAPH_EXPORT_GRAPHML ? write_graphml(&s, path, out) : write_neo4j(&s, path, out);
    }
    vec_free(&s.edges);
    vec_free(&s.clusters);
    vec_free(&s.members);
    vec_free(&s.wallets);
    return rc;
}
