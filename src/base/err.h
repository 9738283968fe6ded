/* Error codes shared by every module.
 *
 * Functions return 0 on success or one of these negative codes (libuv
 * style). The codes say what kind of failure it was; the message with the
 * details is logged once, where the context is known, or carried in a
 * module's own error buffer (json, config). */
#ifndef WT_BASE_ERR_H
#define WT_BASE_ERR_H

#include <stddef.h>

enum wt_err {
    WT_OK = 0,
    WT_EINVAL = -1,        /* an argument or value is invalid */
    WT_ENOMEM = -2,        /* out of memory (most allocations abort instead) */
    WT_ERANGE = -3,        /* a number is out of range or overflows */
    WT_EPARSE = -4,        /* malformed input (JSON, config line, base58...) */
    WT_ETYPE = -5,         /* a value has the wrong type */
    WT_ENOTFOUND = -6,     /* no such key, row, file or route */
    WT_EIO = -7,           /* an operating system I/O call failed */
    WT_EFULL = -8,         /* a bounded buffer or queue reached its cap */
    WT_EEXIST = -9,        /* already exists */
    WT_ESTORE = -10,       /* the database reported an error */
    WT_ENET = -11,         /* a network call failed */
    WT_ETIMEOUT = -12,     /* a deadline passed */
    WT_EAUTH = -13,        /* missing or wrong credentials */
    WT_EBUSY = -14,        /* resource busy, try again later */
    WT_ESTATE = -15,       /* the operation is not valid in the current state */
    WT_ETOOBIG = -16,      /* input larger than the allowed limit */
    WT_EVERSION = -17,     /* data written by a newer version */
    WT_EUNSUPPORTED = -18, /* not supported by this build or backend */
    WT_EAGAIN = -19,       /* incomplete input: more bytes needed */
    WT_ECRYPTO = -20,      /* key, signature or verification failure */
    WT_EREMOTE = -21,      /* a remote service answered with an error */
    WT_ECLOSED = -22,      /* the object was closed or is shutting down */
};

/* Returns a static, human-readable description of an error code. Any
 * thread. Unknown codes give "unknown error". */
const char *wt_strerror(int err);

/* Copies msg into the caller's message buffer err[errsize] (nothing when
 * err is NULL or errsize 0) and returns rc: the one way a *_validate
 * function (or any function with an (err, errsize) pair) hands back its
 * message. Any thread. */
int wt_set_err(char *err, size_t errsize, int rc, const char *msg);

#endif
