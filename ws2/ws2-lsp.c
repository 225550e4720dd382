/* SPDX-License-Identifier: MIT
 *
 * ws2-lsp.c: layered service providers.  A shared module exporting
 * WSPStartup is loaded with GModule and given catalog entries of its own:
 * a layer entry (ChainLen 0) and, for each base catalog entry, a chained
 * entry (ChainLen 2: the LSP's id, then the base id) that WSASocketW
 * prefers to the base entry.  The LSP's WSPStartup receives its chained
 * entry and this layer's upcall table; it finds the next provider with
 * wspsim_lsp_next_provider() (the simulator's WSCGetProviderPath +
 * LoadLibrary + GetProcAddress), starts it with the same upcall table and
 * forwards to its proc table.  doc/ws2.md, "Layered providers".
 */
#include "config.h"

#include <string.h>

#include "ws2-private.h"

static GMutex lsp_lock;
static GPtrArray *lsps; /* of Ws2Lsp*, installation order */
static bool env_done;

static void
lsp_free(Ws2Lsp *lsp)
{
    /* The module stays loaded: processes may still call into it. */
    g_free(lsp->path);
    g_array_unref(lsp->entries);
    g_free(lsp);
}

guint
ws2_lsp_count(void)
{
    return lsps != NULL ? lsps->len : 0;
}

const Ws2Lsp *
ws2_lsp_nth(guint i)
{
    return lsps != NULL && i < lsps->len ? g_ptr_array_index(lsps, i) : NULL;
}

static void
set_name(WSAPROTOCOL_INFOW *e, const char *name)
{
    size_t i;

    for (i = 0; name[i] != '\0' && i < WSAPROTOCOL_LEN; i++)
        e->szProtocol[i] = (WCHAR) (unsigned char) name[i];
    e->szProtocol[i] = 0;
}

static void
name_of(const WSAPROTOCOL_INFOW *e, char *buf, size_t cap)
{
    size_t i;

    for (i = 0; i + 1 < cap && e->szProtocol[i] != 0; i++)
        buf[i] = e->szProtocol[i] < 128 ? (char) e->szProtocol[i] : '?';
    buf[i] = '\0';
}

/**
 * wspsim_lsp_install:
 * @path: a shared module exporting WSPStartup
 * @out_error: (out) (nullable): a message on failure (free with g_free)
 *
 * Installs the layered provider above the base provider for every process
 * whose first WSAStartup comes later (see wspsim-ws2.h).
 *
 * Returns: TRUE on success.
 */
BOOL
wspsim_lsp_install(const char *path, char **out_error)
{
    GModule *module;
    gpointer sym = NULL;
    g_autofree char *base = NULL;
    Ws2Lsp *lsp;
    size_t n_base;
    const WSAPROTOCOL_INFOW *cat = wspsim_catalog(&n_base);
    DWORD id;

    if (path == NULL) {
        if (out_error != NULL)
            *out_error = g_strdup("no module path");
        return FALSE;
    }
    module = g_module_open(path, G_MODULE_BIND_LOCAL);
    if (module == NULL) {
        if (out_error != NULL)
            *out_error = g_strdup_printf("%s: %s", path, g_module_error());
        return FALSE;
    }
    if (!g_module_symbol(module, "WSPStartup", &sym) || sym == NULL) {
        if (out_error != NULL)
            *out_error = g_strdup_printf("%s: exports no WSPStartup", path);
        g_module_close(module);
        return FALSE;
    }
    g_module_make_resident(module);

    g_mutex_lock(&lsp_lock);
    if (lsps == NULL)
        lsps = g_ptr_array_new_with_free_func((GDestroyNotify) lsp_free);
    lsp = g_new0(Ws2Lsp, 1);
    lsp->path = g_strdup(path);
    lsp->module = module;
    lsp->startup = (LPWSPSTARTUP) sym;
    lsp->index = lsps->len;
    lsp->entries = g_array_new(FALSE, TRUE, sizeof(WSAPROTOCOL_INFOW));
    id = WSPSIM_LSP_CATALOG_BASE + 16 * lsp->index;
    base = g_path_get_basename(path);

    /* The layer entry, with a GUID of its own derived from the index. */
    memset(&lsp->layer, 0, sizeof lsp->layer);
    lsp->layer.ProviderId = wspsim_provider_guid;
    lsp->layer.ProviderId.Data1 ^= 0x4c535000u | (lsp->index + 1);
    lsp->layer.dwCatalogEntryId = id;
    lsp->layer.ProtocolChain.ChainLen = LAYERED_PROTOCOL;
    lsp->layer.iVersion = 2;
    set_name(&lsp->layer, base);

    /* One chained entry per base entry (not the rooted multipoint ones). */
    for (size_t i = 0; i < n_base; i++) {
        WSAPROTOCOL_INFOW e = cat[i];
        char bname[WSAPROTOCOL_LEN + 1];
        g_autofree char *name = NULL;

        if (cat[i].dwServiceFlags1 & XP1_MULTIPOINT_CONTROL_PLANE)
            continue;
        e.ProviderId = lsp->layer.ProviderId;
        e.dwCatalogEntryId = id + 1 + (DWORD) lsp->entries->len;
        e.ProtocolChain.ChainLen = 2;
        e.ProtocolChain.ChainEntries[0] = id;
        e.ProtocolChain.ChainEntries[1] = cat[i].dwCatalogEntryId;
        e.dwProviderFlags &= ~(DWORD) PFL_RECOMMENDED_PROTO_ENTRY;
        name_of(&cat[i], bname, sizeof bname);
        name = g_strdup_printf("%s over %s", base, bname);
        set_name(&e, name);
        g_array_append_val(lsp->entries, e);
    }
    g_ptr_array_add(lsps, lsp);
    g_mutex_unlock(&lsp_lock);
    return TRUE;
}

void
wspsim_lsp_uninstall_all(void)
{
    g_mutex_lock(&lsp_lock);
    if (lsps != NULL)
        g_ptr_array_set_size(lsps, 0);
    g_mutex_unlock(&lsp_lock);
}

void
ws2_lsp_from_env(void)
{
    const char *path = g_getenv("WSPSIM_LSP");
    char *msg = NULL;

    if (env_done)
        return;
    env_done = true;
    if (path == NULL || path[0] == '\0')
        return;
    if (!wspsim_lsp_install(path, &msg)) {
        g_printerr("wspsim: WSPSIM_LSP: %s\n", msg);
        g_free(msg);
    }
}

/* The catalog entry with @id: a base entry or an installed LSP's. */
static bool
catalog_lookup(DWORD id, WSAPROTOCOL_INFOW *out, LPWSPSTARTUP *out_startup)
{
    const WSAPROTOCOL_INFOW *b = wspsim_catalog_entry(id);

    if (b != NULL) {
        *out = *b;
        *out_startup = WSPStartup;
        return true;
    }
    for (guint i = 0; i < ws2_lsp_count(); i++) {
        const Ws2Lsp *lsp = ws2_lsp_nth(i);

        for (guint j = 0; j < lsp->entries->len; j++) {
            if (g_array_index(lsp->entries, WSAPROTOCOL_INFOW, j).dwCatalogEntryId == id) {
                *out = g_array_index(lsp->entries, WSAPROTOCOL_INFOW, j);
                *out_startup = lsp->startup;
                return true;
            }
        }
    }
    return false;
}

/**
 * wspsim_lsp_next_provider:
 * @lpProtocolInfo: the chained entry the LSP's WSPStartup received
 * @out_startup: (out): the next provider's WSPStartup
 * @out_next_info: (out): the next provider's catalog entry
 *
 * Follows the protocol chain one step down: the entry after the one that
 * names the caller's layer.
 *
 * Returns: 0, or WSAEINVAL (@lpProtocolInfo NULL, not chained, or the next
 * id unknown), WSAEFAULT (NULL outputs).
 */
int WSPAPI
wspsim_lsp_next_provider(const WSAPROTOCOL_INFOW *lpProtocolInfo, LPWSPSTARTUP *out_startup,
                         WSAPROTOCOL_INFOW *out_next_info)
{
    const WSAPROTOCOL_INFOW *in = lpProtocolInfo;
    DWORD next;

    if (out_startup == NULL || out_next_info == NULL)
        return WSAEFAULT;
    if (in == NULL || in->ProtocolChain.ChainLen < 2 ||
        in->ProtocolChain.ChainLen > MAX_PROTOCOL_CHAIN)
        return WSAEINVAL;
    next = in->ProtocolChain.ChainEntries[1];
    if (!catalog_lookup(next, out_next_info, out_startup))
        return WSAEINVAL;
    return 0;
}

/**
 * wspsim_lsp_top:
 * @path: (nullable): the module an LSP was installed from; NULL: the first
 *   installed LSP
 * @af: address family, 0: any
 * @type: socket type, 0: any
 * @protocol: protocol, 0: any
 * @out_startup: (out): the LSP's WSPStartup
 * @out_info: (out): its chained entry for (@af, @type, @protocol)
 *
 * The top of the chain for a caller that starts providers itself (see
 * wspsim-ws2.h).  The latest installation of @path wins.
 *
 * Returns: 0, WSAEPROVIDERFAILEDINIT, WSAEPROTONOSUPPORT or WSAEFAULT.
 */
int WSPAPI
wspsim_lsp_top(const char *path, int af, int type, int protocol, LPWSPSTARTUP *out_startup,
               WSAPROTOCOL_INFOW *out_info)
{
    const Ws2Lsp *lsp = NULL;
    int err = WSAEPROTONOSUPPORT;

    if (out_startup == NULL || out_info == NULL)
        return WSAEFAULT;
    g_mutex_lock(&lsp_lock);
    for (guint i = ws2_lsp_count(); i-- > 0;) {
        const Ws2Lsp *l = ws2_lsp_nth(i);

        if (path == NULL || strcmp(l->path, path) == 0)
            lsp = l;
        if (path != NULL && lsp != NULL)
            break;
    }
    if (lsp == NULL) {
        g_mutex_unlock(&lsp_lock);
        return WSAEPROVIDERFAILEDINIT;
    }
    for (guint j = 0; j < lsp->entries->len; j++) {
        const WSAPROTOCOL_INFOW *e = &g_array_index(lsp->entries, WSAPROTOCOL_INFOW, j);

        if ((af == 0 || e->iAddressFamily == af) && (type == 0 || e->iSocketType == type) &&
            (protocol == 0 || e->iProtocol == protocol)) {
            *out_info = *e;
            *out_startup = lsp->startup;
            err = 0;
            break;
        }
    }
    g_mutex_unlock(&lsp_lock);
    return err;
}
