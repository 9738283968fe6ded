/* Manual curation (intel/curation.h) on a SQLite store: which actions
 * create a wallet and which need it, what each sets, that bad input names
 * its field and changes nothing, and that decisions persist across a
 * reopen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "intel/curation.h"
#include "solana/pubkey.h"
#include "store/store.h"

static char tmpdir[] = "/tmp/wt-curation-XXXXXX";

static void addr(uint8_t tag, char out[BASE58_KEY_MAX])
{
    struct pubkey k;
    memset(k.b, tag, sizeof k.b);
    k.b[0] = 0x80 | tag;
    pubkey_format(&k, out);
}

static struct store *open_store(void)
{
    struct store *st;
    char err[256];
    assert_int_equal(store_open(tmpdir, NULL, &st, err, sizeof err), 0);
    return st;
}

static void test_actions(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    assert_non_null(mkdtemp(tmpdir));
    struct store *st = open_store();
    char a[BASE58_KEY_MAX], b[BASE58_KEY_MAX], c[BASE58_KEY_MAX];
    addr(1, a);
    addr(2, b);
    addr(3, c);
    struct wallet w;
    const char *what;

    /* watch creates an unknown wallet: watch, manual */
    struct curation x = {.action = CURATE_WATCH};
    assert_int_equal(curation_apply(st, a, &x, 1000, &w, &what), 0);
    assert_int_equal(w.status, WALLET_WATCH);
    assert_string_equal(w.discovery, "manual");
    assert_string_equal(w.chain, "solana");
    assert_int_equal(w.first_seen_ms, 1000);

    /* unwatch, verify, name need a known wallet */
    x.action = CURATE_UNWATCH;
    assert_int_equal(curation_apply(st, b, &x, 1000, &w, &what), WT_ENOTFOUND);
    x.action = CURATE_VERIFY;
    x.verified = true;
    assert_int_equal(curation_apply(st, b, &x, 1000, &w, &what), WT_ENOTFOUND);
    x = (struct curation){.action = CURATE_NAME, .name = "n"};
    assert_int_equal(curation_apply(st, b, &x, 1000, &w, &what), WT_ENOTFOUND);
    assert_int_equal(store_wallet_get(st, b, &w), WT_ENOTFOUND);

    /* blacklist creates too */
    x = (struct curation){.action = CURATE_BLACKLIST};
    assert_int_equal(curation_apply(st, c, &x, 1000, &w, &what), 0);
    assert_int_equal(w.status, WALLET_BLACKLISTED);
    assert_string_equal(w.discovery, "");

    /* verify, unverify, name with a type */
    x = (struct curation){.action = CURATE_VERIFY, .verified = true};
    assert_int_equal(curation_apply(st, a, &x, 2000, &w, &what), 0);
    assert_true(w.verified);
    assert_int_equal(w.updated_ms, 2000);
    x.verified = false;
    assert_int_equal(curation_apply(st, a, &x, 2000, &w, &what), 0);
    assert_false(w.verified);
    x = (struct curation){.action = CURATE_NAME, .name = "Fund Alpha", .type = "fund"};
    assert_int_equal(curation_apply(st, a, &x, 2000, &w, &what), 0);
    assert_string_equal(w.name, "Fund Alpha");
    assert_string_equal(w.type, "fund");
    assert_int_equal(w.status, WALLET_WATCH); /* untouched */

    /* bad input names the field and changes nothing */
    x = (struct curation){.action = CURATE_NAME, .name = "bad\nname"};
    assert_int_equal(curation_apply(st, a, &x, 3000, &w, &what), WT_EINVAL);
    assert_string_equal(what, "name");
    char longname[80];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    x.name = longname;
    assert_int_equal(curation_apply(st, a, &x, 3000, &w, &what), WT_EINVAL);
    assert_string_equal(what, "name");
    x = (struct curation){.action = CURATE_NAME, .name = "ok", .type = "bank"};
    assert_int_equal(curation_apply(st, a, &x, 3000, &w, &what), WT_EINVAL);
    assert_string_equal(what, "walletType");
    x = (struct curation){.action = CURATE_WATCH};
    assert_int_equal(curation_apply(st, "not-an-address", &x, 3000, &w, &what), WT_EINVAL);
    assert_string_equal(what, "address");
    assert_int_equal(store_wallet_get(st, a, &w), 0);
    assert_string_equal(w.name, "Fund Alpha");
    assert_int_equal(w.updated_ms, 2000);

    /* unwatch: removed, and it persists across a reopen */
    x = (struct curation){.action = CURATE_UNWATCH};
    assert_int_equal(curation_apply(st, a, &x, 4000, &w, &what), 0);
    assert_int_equal(w.status, WALLET_REMOVED);
    store_close(st);
    st = open_store();
    assert_int_equal(store_wallet_get(st, a, &w), 0);
    assert_int_equal(w.status, WALLET_REMOVED);
    assert_string_equal(w.name, "Fund Alpha");
    assert_int_equal(store_wallet_get(st, c, &w), 0);
    assert_int_equal(w.status, WALLET_BLACKLISTED);
    /* and watch again brings it back, as a manual decision */
    x = (struct curation){.action = CURATE_WATCH};
    assert_int_equal(curation_apply(st, a, &x, 5000, &w, &what), 0);
    assert_int_equal(w.status, WALLET_WATCH);
    store_close(st);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
