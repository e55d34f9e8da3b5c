/* store-writer.c: a process that streams a reply into a chat store forever
 *
 * For the crash-safety test of test-chat-store: it opens the store at
 * argv[1], creates a chat with a user message and a streaming reply,
 * tracks the reply, then appends a token every few milliseconds until it
 * is killed. Each token is "w<N> "; after appending one it prints
 * "<N> <monotonic µs>" on stdout, so the test knows what was sent when.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include <stdio.h>

#include "cria-core.h"

#define TOKEN_INTERVAL_MS 3

typedef struct
{
  CriaChatMessage *reply;
  guint            n_tokens;
} Writer;

static gboolean
token_cb (gpointer user_data)
{
  Writer *writer = user_data;
  char token[32];

  g_snprintf (token, sizeof token, "w%u ", writer->n_tokens);
  cria_chat_message_append_content (writer->reply, token);
  printf ("%u %" G_GINT64_FORMAT "\n", writer->n_tokens, g_get_monotonic_time ());
  fflush (stdout);
  writer->n_tokens++;

  return G_SOURCE_CONTINUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CriaChatStore) store = NULL;
  g_autoptr(CriaChatMessage) question = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Writer writer = { NULL, 0 };
  gint64 chat_id;
  gint64 reply_id;

  if (argc != 2)
    {
      g_printerr ("Usage: %s DATABASE\n", argv[0]);
      return 2;
    }

  store = cria_chat_store_new (argv[1]);
  if (!cria_chat_store_open (store, &error))
    g_error ("Could not open the store: %s", error->message);

  chat_id = cria_chat_store_create_chat (store, "Crash test", "http://localhost:11434",
                                         "llama3.2", NULL, NULL, &error);
  g_assert_no_error (error);

  question = cria_chat_message_new (CRIA_MESSAGE_ROLE_USER, "Count for me, forever.");
  cria_chat_store_append_message (store, chat_id, question, &error);
  g_assert_no_error (error);

  writer.reply = cria_chat_message_new (CRIA_MESSAGE_ROLE_ASSISTANT, NULL);
  cria_chat_message_set_model (writer.reply, "llama3.2");
  cria_chat_message_set_state (writer.reply, CRIA_MESSAGE_STATE_STREAMING);
  reply_id = cria_chat_store_track_reply (store, chat_id, writer.reply, &error);
  g_assert_no_error (error);

  printf ("ready %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", chat_id, reply_id);
  fflush (stdout);

  g_timeout_add (TOKEN_INTERVAL_MS, token_cb, &writer);

  loop = g_main_loop_new (NULL, FALSE);
  g_main_loop_run (loop);

  return 0;
}
