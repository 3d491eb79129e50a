/* SPDX-License-Identifier: MIT */
/*
 * list_projects.c: list the projects of an Agora (or restauthd) account with librestauth.
 *
 * The C counterpart of Agora's RESTful authentication samples. Configuration comes from the
 * environment: RESTAUTH_CUSTOMER_ID and RESTAUTH_CUSTOMER_SECRET (required), RESTAUTH_BASE_URL
 * (default https://api.agora.io) and RESTAUTH_CA_FILE (for a private CA).
 *
 *   cc list_projects.c $(pkg-config --cflags --libs restauth) -o list_projects
 */
#include <restauth/restauth.h>

#include <stdio.h>

int
main(void)
{
    struct ra_client *c = NULL;
    struct ra_projects *list = NULL;
    enum ra_err err = ra_global_init();
    if (err == RA_OK)
        err = ra_client_new(&c);
    if (err == RA_OK)
        err = ra_client_load_env(c);
    if (err == RA_OK)
        err = ra_client_load_credentials_env(c);
    if (err == RA_OK)
        err = ra_project_list(c, &list);
    if (err != RA_OK) {
        fprintf(stderr, "list_projects: %s: %s\n", ra_strerror(err), ra_client_errmsg(c));
    } else {
        printf("%zu project(s)\n", list->count);
        for (size_t i = 0; i < list->count; i++) {
            const struct ra_project *p = &list->items[i];
            printf("%s\t%s\tapp id %s\t%s\n", p->id, p->name, p->vendor_key,
                   p->status == 1 ? "enabled" : "disabled");
        }
    }
    ra_projects_free(list);
    ra_client_free(c);
    ra_global_cleanup();
    return err == RA_OK ? 0 : 1;
}
