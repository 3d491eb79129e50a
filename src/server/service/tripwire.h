/* SPDX-License-Identifier: MIT */
/*
 * tripwire.h: uses of tripwire pairs. The request path refuses them as a wrong secret and
 * reports them here: a warning line on the diagnostic log at once (the Customer ID and the
 * client address, never a secret), the app's counter, and a bounded queue that the sync thread
 * drains into the audit log (credential.tripwire_used, an alert), so that the request never
 * waits for the database. When the queue is full, further uses are still logged and counted
 * but not queued (tripwire_dropped).
 */
#ifndef RA_SERVER_SERVICE_TRIPWIRE_H
#define RA_SERVER_SERVICE_TRIPWIRE_H

#include "app.h"

#include <stdint.h>

#define TRIPWIRE_QUEUE 256

struct tripwire_queue;

/* A new empty queue at *out; 0 or -ENOMEM. */
int tripwire_new(struct tripwire_queue **out);
void tripwire_free(struct tripwire_queue *q);

/* Report a use of the tripwire pair customer_id of the account from `address` (text, may be
 * NULL). Any thread; never touches the store. */
void tripwire_report(const struct app *app, const char *customer_id, int64_t account_id,
                     const char *address);

/* Write the queued uses to the audit log (the sync thread). 0, or the store's error (the
 * entry that failed and those after it stay queued). */
int tripwire_drain(struct app *app);

/* Uses that found the queue full. */
uint64_t tripwire_dropped(struct tripwire_queue *q);

#endif
