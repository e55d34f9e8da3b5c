/* cria-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cria-config.h"

#include "cria-error.h"

G_DEFINE_QUARK (cria-client-error-quark, cria_client_error)
G_DEFINE_QUARK (cria-store-error-quark, cria_store_error)
