/* SPDX-License-Identifier: MIT */
/*
 * privdrop.c: switching to an unprivileged user (privdrop.h).
 */
#define _GNU_SOURCE /* initgroups */
#include "privdrop.h"

#include "common/log.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Look user `name` up; 0 or -ENOENT/-errno after logging. */
static int
lookup(const char *name, struct passwd *pw, char *buf, size_t len)
{
    struct passwd *found = NULL;
    int rc = getpwnam_r(name, pw, buf, len, &found);
    if (found != NULL)
        return 0;
    ra_log(RA_LOG_ERR, "--user %s: %s", name, rc != 0 ? strerror(rc) : "no such user");
    return rc != 0 ? -rc : -ENOENT;
}

/* The ids now match pw, and neither setuid(0) nor setgid(0) works. */
static bool
dropped_for_good(const struct passwd *pw)
{
    uid_t ruid, euid, suid;
    gid_t rgid, egid, sgid;
    if (getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0)
        return false;
    if (ruid != pw->pw_uid || euid != pw->pw_uid || suid != pw->pw_uid || rgid != pw->pw_gid ||
        egid != pw->pw_gid || sgid != pw->pw_gid)
        return false;
    if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
        return false;
    if (pw->pw_gid != 0 && (setgid(0) == 0 || setegid(0) == 0))
        return false;
    return true;
}

int
privdrop_switch(const char *name)
{
    struct passwd pw;
    char buf[4096];
    int rc = lookup(name, &pw, buf, sizeof(buf));
    if (rc < 0)
        return rc;
    if (geteuid() != 0) {
        if (getuid() == pw.pw_uid && geteuid() == pw.pw_uid)
            return 0; /* started as that user already (systemd's User=) */
        ra_log(RA_LOG_ERR, "--user %s: only root can switch users", name);
        return -EPERM;
    }
    if (pw.pw_uid == 0) {
        ra_log(RA_LOG_ERR, "--user %s: that user is root", name);
        return -EINVAL;
    }
    if (initgroups(name, pw.pw_gid) != 0 || setgid(pw.pw_gid) != 0 || setuid(pw.pw_uid) != 0) {
        rc = -errno;
        ra_log(RA_LOG_ERR, "--user %s: cannot switch: %s", name, strerror(errno));
        return rc;
    }
    if (!dropped_for_good(&pw)) {
        ra_log(RA_LOG_ERR, "--user %s: root privileges could be regained; stopping", name);
        return -EPERM;
    }
    ra_log(RA_LOG_INFO, "running as user %s (uid %u, gid %u)", name, (unsigned)pw.pw_uid,
           (unsigned)pw.pw_gid);
    return 0;
}

int
privdrop_check_store(const struct config *cfg)
{
    const char *path = cfg->store;
    if (strncasecmp(path, "sqlite:", 7) != 0)
        return 0;
    path += 7;
    if (strncmp(path, "//", 2) == 0)
        path += 2;
    char copy[4096];
    if ((size_t)snprintf(copy, sizeof(copy), "%s", path) >= sizeof(copy))
        return -ENAMETOOLONG;
    const char *dir = dirname(copy);
    if (access(path, R_OK | W_OK) == 0 && access(dir, W_OK | X_OK) == 0)
        return 0;
    ra_log(RA_LOG_ERR,
           "the store %s and its folder %s must be writable by this user (SQLite writes its "
           "-wal and -shm files there): chown the folder and its files to the user",
           path, dir);
    return -EACCES;
}
