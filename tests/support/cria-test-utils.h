/* cria-test-utils.h: main-context pumping for async tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CRIA_TEST_DEADLINE_SECONDS 30

static inline gboolean
_cria_test_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default main context until @cond holds; fails the test
 * after a generous deadline. Never a fixed sleep as synchronisation. */
#define cria_test_wait_until(cond)                                           \
  G_STMT_START {                                                             \
    gint64 _deadline = g_get_monotonic_time ()                               \
                       + CRIA_TEST_DEADLINE_SECONDS * G_USEC_PER_SEC;        \
    guint _wake = g_timeout_add (20, _cria_test_wake_cb, NULL);              \
    while (!(cond))                                                          \
      {                                                                      \
        if (g_get_monotonic_time () > _deadline)                             \
          g_error ("%s:%d: timed out waiting for %s", __FILE__, __LINE__,    \
                   #cond);                                                   \
        g_main_context_iteration (NULL, TRUE);                               \
      }                                                                      \
    g_source_remove (_wake);                                                 \
  } G_STMT_END

/* Iterates for @msec, letting whatever is queued happen. */
static inline void
cria_test_run_for (guint msec)
{
  gint64 end = g_get_monotonic_time () + (gint64) msec * 1000;
  guint wake = g_timeout_add (10, _cria_test_wake_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (wake);
}

static inline gboolean
_cria_test_is_gone (GWeakRef *ref)
{
  GObject *object = g_weak_ref_get (ref);

  if (object == NULL)
    return TRUE;
  g_object_unref (object);
  return FALSE;
}

/* Drops @object, which the caller holds the last reference to once
 * background work has ended, and waits until it is finalized; fails the
 * test after the deadline. A GTask run in a thread holds its source object
 * until its worker thread lets go of the task, which may be just after
 * the callback ran in the main thread: g_assert_finalize_object() straight
 * after the callback races with that thread. */
static inline void
cria_test_finalize_object (gpointer object)
{
  GWeakRef ref;

  g_weak_ref_init (&ref, object);
  g_object_unref (object);
  cria_test_wait_until (_cria_test_is_gone (&ref));
  g_weak_ref_clear (&ref);
}

/* A GAsyncReadyCallback that stores the result in *(GAsyncResult **) data. */
static inline void
cria_test_store_result_cb (GObject      *object,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

G_END_DECLS
