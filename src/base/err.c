/* Descriptions of the WT_E* error codes. */
#include "base/err.h"

#include <stdio.h>

const char *wt_strerror(int err)
{
    switch (err) {
    case WT_OK:
        return "success";
    case WT_EINVAL:
        return "invalid argument";
    case WT_ENOMEM:
        return "out of memory";
    case WT_ERANGE:
        return "value out of range";
    case WT_EPARSE:
        return "malformed input";
    case WT_ETYPE:
        return "wrong type";
    case WT_ENOTFOUND:
        return "not found";
    case WT_EIO:
        return "input/output error";
    case WT_EFULL:
        return "capacity limit reached";
    case WT_EEXIST:
        return "already exists";
    case WT_ESTORE:
        return "database error";
    case WT_ENET:
        return "network error";
    case WT_ETIMEOUT:
        return "timed out";
    case WT_EAUTH:
        return "not authorized";
    case WT_EBUSY:
        return "busy";
    case WT_ESTATE:
        return "invalid state for this operation";
    case WT_ETOOBIG:
        return "too large";
    case WT_EVERSION:
        return "written by a newer version";
    case WT_EUNSUPPORTED:
        return "not supported";
    case WT_EAGAIN:
        return "incomplete input";
    case WT_ECRYPTO:
        return "cryptographic failure";
    case WT_EREMOTE:
        return "remote service error";
    case WT_ECLOSED:
        return "closed";
    default:
        return "unknown error";
    }
}

int wt_set_err(char *err, size_t errsize, int rc, const char *msg)
{
    if (err && errsize)
        snprintf(err, errsize, "%s", msg);
    return rc;
}
