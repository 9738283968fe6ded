/* The store's wallet-graph operations (issue 17): saving a rebuild of the
 * graph (edges, clusters, members) in one transaction, the cluster
 * blacklist flag, the member scan the engine's blacklist reads, and the
 * transfer scan the edge builder reads. Both backends: the SQL is the
 * common subset, parameters $n. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/buf.h"
#include "base/mem.h"
#include "base/str.h"
#include "store/store.h"
#include "store/store_impl.h"
#include "store/store_rows_impl.h"

static int exec1(struct store *st, struct store_conn *c, const char *sql, const char *what)
{
    struct store_stmt *s;
    if (stmt_prepare(st, c, sql, what, &s) != 0)
        return WT_ESTORE;
    int rc = wr_step(st, s) < 0 ? (st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, what)) : 0;
    st->ops->finish(s);
    return rc;
}

int store_graph_save(struct store *st, const struct graph_edge_row *e, size_t ne,
                     const struct cluster_row *c, size_t nc, const struct cluster_member_row *m,
                     size_t nm)
{
    const struct table *te = store_table_desc(STORE_T_EDGES);
    const struct table *tc = store_table_desc(STORE_T_CLUSTERS);
    const struct table *tm = store_table_desc(STORE_T_CLUSTER_MEMBERS);
    for (size_t i = 0; i < ne; i++)
        if (store_check_row(te, &e[i]) != 0 || !e[i].src[0] || !e[i].dst[0] || !e[i].kind[0])
            return WT_EINVAL;
    for (size_t i = 0; i < nc; i++)
        if (store_check_row(tc, &c[i]) != 0 || !c[i].label[0])
            return WT_EINVAL;
    for (size_t i = 0; i < nm; i++)
        if (store_check_row(tm, &m[i]) != 0 || m[i].cluster_id < 1 ||
            (uint64_t)m[i].cluster_id > nc || !m[i].wallet[0])
            return WT_EINVAL;

    struct store_conn *cn;
    int rc = wr_begin(st, &cn);
    if (rc != 0)
        return rc;
    int64_t *ids = xcalloc(nc ? nc : 1, sizeof *ids);
    rc = exec1(st, cn, "DELETE FROM graph_edges", "graph_edges");
    for (size_t i = 0; i < ne && rc == 0; i++)
        rc = store_put_row(st, cn, te, &e[i], NULL);
    if (rc == 0)
        rc = exec1(st, cn, "DELETE FROM cluster_members", "cluster_members");
    /* Every kept or new cluster is upserted on its label (a kept label
     * keeps its id), then those not in the new set are deleted (their
     * members went above). */
    for (size_t i = 0; i < nc && rc == 0; i++) {
        struct cluster_row r = c[i];
        rc = store_put_row(st, cn, tc, &r, &ids[i]);
    }
    if (rc == 0) {
        /* The ids are integers written by us: no quoting concern. */
        struct buf b;
        buf_init(&b, 0);
        buf_printf(&b, "DELETE FROM clusters WHERE id NOT IN (0");
        for (size_t i = 0; i < nc; i++)
            buf_printf(&b, ", %lld", (long long)ids[i]);
        buf_printf(&b, ")");
        rc = exec1(st, cn, b.data, "clusters");
        buf_release(&b);
    }
    if (rc == 0)
        rc = exec1(st, cn, "DELETE FROM cluster_stats", "cluster_stats");
    for (size_t i = 0; i < nc && rc == 0; i++) {
        struct store_stmt *s;
        if ((rc = stmt_prepare(
                 st, cn,
                 "INSERT INTO cluster_stats (cluster_id, leader_rule, pnl_sol, tokens, "
                 "insider) VALUES ($1, $2, $3, $4, $5)",
                 "cluster_stats", &s)) != 0)
            break;
        st->ops->bind_i64(s, 1, ids[i]);
        st->ops->bind_text(s, 2, c[i].leader_rule);
        st->ops->bind_f64(s, 3, c[i].pnl_sol);
        st->ops->bind_i64(s, 4, c[i].tokens);
        st->ops->bind_f64(s, 5, c[i].insider);
        if (wr_step(st, s) < 0)
            rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, cn, "cluster_stats");
        st->ops->finish(s);
    }
    for (size_t i = 0; i < nm && rc == 0; i++) {
        struct cluster_member_row r = m[i];
        r.cluster_id = ids[m[i].cluster_id - 1];
        rc = store_put_row(st, cn, tm, &r, NULL);
    }
    free(ids);
    return wr_end(st, cn, rc);
}

int store_graph_edges_apply(struct store *st, const struct graph_edge_row *put, size_t np,
                            const struct graph_edge_row *del, size_t nd, bool replace_all)
{
    const struct table *te = store_table_desc(STORE_T_EDGES);
    for (size_t i = 0; i < np; i++)
        if (store_check_row(te, &put[i]) != 0 || !put[i].src[0] || !put[i].dst[0] ||
            !put[i].kind[0])
            return WT_EINVAL;
    for (size_t i = 0; i < nd; i++)
        if (!del[i].src[0] || !del[i].dst[0] || !del[i].kind[0])
            return WT_EINVAL;
    struct store_conn *cn;
    int rc = wr_begin(st, &cn);
    if (rc != 0)
        return rc;
    if (replace_all)
        rc = exec1(st, cn, "DELETE FROM graph_edges", "graph_edges");
    for (size_t i = 0; i < np && rc == 0; i++)
        rc = store_put_row(st, cn, te, &put[i], NULL);
    for (size_t i = 0; i < nd && rc == 0; i++) {
        struct store_stmt *s;
        if ((rc = stmt_prepare(st, cn,
                               "DELETE FROM graph_edges WHERE src = $1 AND dst = $2 AND kind = $3",
                               "graph_edges", &s)) != 0)
            break;
        st->ops->bind_text(s, 1, del[i].src);
        st->ops->bind_text(s, 2, del[i].dst);
        st->ops->bind_text(s, 3, del[i].kind);
        if (wr_step(st, s) < 0)
            rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, cn, "graph_edges");
        st->ops->finish(s);
    }
    return wr_end(st, cn, rc);
}

int store_cluster_blacklist(struct store *st, int64_t id, bool on, int64_t now_ms)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc =
        wr_begin_stmt(st, "UPDATE clusters SET blacklisted = $1, updated_ms = $2 WHERE id = $3",
                      "clusters", &c, &s);
    if (rc != 0)
        return rc;
    st->ops->bind_i64(s, 1, on ? 1 : 0);
    st->ops->bind_i64(s, 2, now_ms);
    st->ops->bind_i64(s, 3, id);
    if (wr_step(st, s) < 0)
        rc = st->fault_fn != NULL ? WT_ESTORE : stmt_err(st, c, "clusters");
    else if (st->ops->changes(s) == 0)
        rc = WT_ENOTFOUND;
    st->ops->finish(s);
    return wr_end(st, c, rc);
}

struct member_pair {
    int64_t cluster_id;
    char wallet[BASE58_KEY_MAX];
};

int store_cluster_members_scan(struct store *st, bool blacklisted_only,
                               int (*fn)(void *ctx, int64_t cluster_id, const char *wallet),
                               void *ctx)
{
    const char *sql = blacklisted_only
                          ? "SELECT m.cluster_id, m.wallet FROM cluster_members m JOIN clusters c "
                            "ON c.id = m.cluster_id WHERE c.blacklisted = $1 ORDER BY "
                            "m.cluster_id, m.wallet"
                          : "SELECT cluster_id, wallet FROM cluster_members WHERE $1 = $1 ORDER "
                            "BY cluster_id, wallet";
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, sql, "cluster members", &c, &s);
    if (rc != 0)
        return rc;
    size_t n = 0, cap = 0;
    struct member_pair *v = NULL;
    st->ops->bind_i64(s, 1, 1);
    int r = 0;
    while ((r = st->ops->step(s)) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            v = xrealloc(v, cap * sizeof *v);
        }
        v[n].cluster_id = st->ops->col_i64(s, 0);
        if (str_copy(v[n].wallet, sizeof v[n].wallet, st->ops->col_text(s, 1)) != 0)
            v[n].wallet[0] = '\0';
        n++;
    }
    if (r < 0)
        rc = stmt_err(st, c, "cluster members");
    rc = rd_end(st, c, s, rc);
    for (size_t i = 0; i < n && rc == 0; i++)
        if (v[i].wallet[0])
            rc = fn(ctx, v[i].cluster_id, v[i].wallet);
    free(v);
    return rc;
}

#define TR_PAGE 4096

int store_transfers_scan(struct store *st, int (*fn)(void *ctx, const struct transfer_event *t),
                         void *ctx)
{
    struct transfer_event *page = xmalloc(TR_PAGE * sizeof *page);
    int64_t *pid = xmalloc(TR_PAGE * sizeof *pid);
    int64_t cur_ts = INT64_MIN, cur_id = -1;
    int rc = 0;
    for (;;) {
        struct store_conn *c;
        rc = st->ops->acquire(st, false, &c);
        if (rc != 0)
            break;
        struct store_stmt *s;
        size_t n = 0;
        if (st->ops->prepare(c,
                             "SELECT id, sig, leg, slot, ts_ms, from_wallet, to_wallet, mint, "
                             "decimals, amount FROM transfers WHERE (ts_ms, id) > ($1, $2) "
                             "ORDER BY ts_ms, id LIMIT $3",
                             &s) != 0) {
            rc = stmt_err(st, c, "preparing the transfer scan");
        } else {
            st->ops->bind_i64(s, 1, cur_ts);
            st->ops->bind_i64(s, 2, cur_id);
            st->ops->bind_i64(s, 3, TR_PAGE);
            int r = 0;
            while (n < TR_PAGE && (r = st->ops->step(s)) == 1) {
                struct transfer_event *t = &page[n];
                memset(t, 0, sizeof *t);
                pid[n] = st->ops->col_i64(s, 0);
                if (st->ops->col_blob(s, 1, t->sig.b, sizeof t->sig.b) != 0 ||
                    st->ops->col_blob(s, 5, t->from.b, 32) != 0 ||
                    st->ops->col_blob(s, 6, t->to.b, 32) != 0 ||
                    st->ops->col_blob(s, 7, t->mint.b, 32) != 0) {
                    rc = WT_EPARSE;
                    break;
                }
                t->leg = (uint16_t)st->ops->col_i64(s, 2);
                t->slot = (uint64_t)st->ops->col_i64(s, 3);
                t->ts_ms = st->ops->col_i64(s, 4);
                t->decimals = (uint8_t)st->ops->col_i64(s, 8);
                t->amount = st->ops->col_u64(s, 9);
                n++;
            }
            if (rc == 0 && n < TR_PAGE && r < 0)
                rc = stmt_err(st, c, "reading transfers");
            st->ops->finish(s);
        }
        st->ops->release(st, c);
        if (rc != 0)
            break;
        for (size_t i = 0; i < n; i++) {
            rc = fn(ctx, &page[i]);
            if (rc != 0)
                goto out;
        }
        if (n < TR_PAGE)
            break;
        cur_ts = page[n - 1].ts_ms;
        cur_id = pid[n - 1];
    }
out:
    free(page);
    free(pid);
    return rc;
}

#define CLUSTER_COLS                                                                               \
    "c.id, c.label, c.leader, c.size, c.cohesion, CASE WHEN c.blacklisted THEN 1 ELSE 0 END, "     \
    "c.created_ms, c.updated_ms, coalesce(s.leader_rule, ''), coalesce(s.pnl_sol, 0), "            \
    "coalesce(s.tokens, 0), coalesce(s.insider, 0) FROM clusters c LEFT JOIN cluster_stats s ON "  \
    "s.cluster_id = c.id"

static int read_cluster(struct store *st, struct store_stmt *s, struct cluster_row *r)
{
    const struct store_ops *o = st->ops;
    memset(r, 0, sizeof *r);
    r->id = o->col_i64(s, 0);
    if (str_copy(r->label, sizeof r->label, o->col_text(s, 1)) != 0 ||
        str_copy(r->leader, sizeof r->leader, o->col_text(s, 2)) != 0 ||
        str_copy(r->leader_rule, sizeof r->leader_rule, o->col_text(s, 8)) != 0)
        return WT_ETOOBIG;
    r->size = (int32_t)o->col_i64(s, 3);
    r->cohesion = o->col_f64(s, 4);
    r->blacklisted = o->col_i64(s, 5) != 0;
    r->created_ms = o->col_i64(s, 6);
    r->updated_ms = o->col_i64(s, 7);
    r->pnl_sol = o->col_f64(s, 9);
    r->tokens = (int32_t)o->col_i64(s, 10);
    r->insider = o->col_f64(s, 11);
    return 0;
}

int store_cluster_get(struct store *st, int64_t id, struct cluster_row *out)
{
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin(st, "SELECT " CLUSTER_COLS " WHERE c.id = $1", "cluster", &c, &s);
    if (rc != 0)
        return rc;
    st->ops->bind_i64(s, 1, id);
    int r = st->ops->step(s);
    if (r == 1)
        rc = read_cluster(st, s, out);
    else
        rc = r == 0 ? WT_ENOTFOUND : stmt_err(st, c, "cluster");
    return rd_end(st, c, s, rc);
}

/* The WHERE of the list, parameters $1..$5. */
#define CLUSTER_WHERE                                                                              \
    " WHERE c.size >= $1 AND coalesce(s.insider, 0) >= $2 AND ($3 < 0 OR (CASE WHEN "              \
    "c.blacklisted THEN 1 ELSE 0 END) = $4) AND ($5 = '' OR c.id IN (SELECT cluster_id FROM "      \
    "cluster_members WHERE wallet = $5))"

static void bind_where(struct store *st, struct store_stmt *s, const struct cluster_filter *f)
{
    st->ops->bind_i64(s, 1, f->min_size);
    st->ops->bind_f64(s, 2, f->min_insider);
    st->ops->bind_i64(s, 3, f->has_blacklisted ? 0 : -1);
    st->ops->bind_i64(s, 4, f->blacklisted ? 1 : 0);
    st->ops->bind_text(s, 5, f->member ? f->member : "");
}

int store_clusters_query(struct store *st, const struct cluster_filter *f, struct cluster_row *rows,
                         size_t *n, int64_t *total)
{
    static const char *const order[] = {
        [CLUSTER_SORT_SIZE] = "c.size",
        [CLUSTER_SORT_INSIDER] = "coalesce(s.insider, 0)",
        [CLUSTER_SORT_PNL] = "coalesce(s.pnl_sol, 0)",
        [CLUSTER_SORT_TOKENS] = "coalesce(s.tokens, 0)",
        [CLUSTER_SORT_UPDATED] = "c.updated_ms",
    };
    *n = 0;
    *total = 0;
    if (f->page == 0 || f->limit == 0 || f->limit > 1000 ||
        (unsigned)f->sort > CLUSTER_SORT_UPDATED)
        return WT_EINVAL;
    struct store_conn *c;
    int rc = st->ops->acquire(st, false, &c);
    if (rc != 0)
        return rc;
    struct store_stmt *s;
    if (st->ops->prepare(c,
                         "SELECT count(*) FROM clusters c LEFT JOIN cluster_stats s ON "
                         "s.cluster_id = c.id" CLUSTER_WHERE,
                         &s) != 0) {
        rc = stmt_err(st, c, "clusters");
        goto out;
    }
    bind_where(st, s, f);
    if (st->ops->step(s) == 1)
        *total = st->ops->col_i64(s, 0);
    else
        rc = stmt_err(st, c, "clusters");
    st->ops->finish(s);
    if (rc != 0)
        goto out;
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT " CLUSTER_COLS CLUSTER_WHERE " ORDER BY %s %s, c.id LIMIT $6 OFFSET $7",
             order[f->sort], f->ascending ? "ASC" : "DESC");
    if (st->ops->prepare(c, sql, &s) != 0) {
        rc = stmt_err(st, c, "clusters");
        goto out;
    }
    bind_where(st, s, f);
    st->ops->bind_i64(s, 6, f->limit);
    st->ops->bind_i64(s, 7, (int64_t)(f->page - 1) * f->limit);
    int r = 0;
    while (rc == 0 && *n < f->limit && (r = st->ops->step(s)) == 1)
        if ((rc = read_cluster(st, s, &rows[*n])) == 0)
            (*n)++;
    if (rc == 0 && r < 0)
        rc = stmt_err(st, c, "clusters");
    st->ops->finish(s);
out:
    st->ops->release(st, c);
    return rc;
}

int store_edges_of(struct store *st, const char *wallet, struct graph_edge_row *rows, size_t cap,
                   size_t *n)
{
    *n = 0;
    struct store_conn *c;
    struct store_stmt *s;
    int rc = rd_begin_key(st,
                          "SELECT id, src, dst, kind, weight, count, first_ms, last_ms FROM "
                          "graph_edges WHERE src = $1 OR dst = $1 ORDER BY weight DESC, id "
                          "LIMIT $2",
                          "graph_edges", wallet, (int64_t)cap, &c, &s);
    if (rc != 0)
        return rc;
    int r = 0;
    while (rc == 0 && *n < cap && (r = st->ops->step(s)) == 1) {
        struct graph_edge_row *e = &rows[*n];
        memset(e, 0, sizeof *e);
        e->id = st->ops->col_i64(s, 0);
        if (str_copy(e->src, sizeof e->src, st->ops->col_text(s, 1)) != 0 ||
            str_copy(e->dst, sizeof e->dst, st->ops->col_text(s, 2)) != 0 ||
            str_copy(e->kind, sizeof e->kind, st->ops->col_text(s, 3)) != 0) {
            rc = WT_ETOOBIG;
            break;
        }
        e->weight = st->ops->col_f64(s, 4);
        e->count = (int32_t)st->ops->col_i64(s, 5);
        e->first_ms = st->ops->col_i64(s, 6);
        e->last_ms = st->ops->col_i64(s, 7);
        (*n)++;
    }
    if (rc == 0 && r < 0)
        rc = stmt_err(st, c, "graph_edges");
    return rd_end(st, c, s, rc);
}
