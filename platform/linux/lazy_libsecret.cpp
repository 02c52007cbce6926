// The libsecret, GIO and GLib functions secret_store_libsecret.cpp calls, forwarding to
// libsecret opened on the first keychain access (lazy_library.hpp says why). GLib and GIO are
// libsecret's own dependencies, so its handle finds their symbols too.

#include "platform/linux/lazy_library.hpp"

#include <gio/gio.h>
#include <libsecret/secret.h>

#include <cstdarg>

#undef g_str_equal // GLib's macro for direct calls; the function is what is defined (and passed) here

// GLib
BRIDGE_LAZY_FORWARD(libsecret, void, g_free, (gpointer memory), (memory))
BRIDGE_LAZY_FORWARD(libsecret, void, g_error_free, (GError * error), (error))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, g_error_matches, (const GError* error, GQuark domain, gint code),
                    (error, domain, code))
BRIDGE_LAZY_FORWARD(libsecret, GHashTable*, g_hash_table_new, (GHashFunc hash, GEqualFunc equal), (hash, equal))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, g_hash_table_insert, (GHashTable * table, gpointer key, gpointer value),
                    (table, key, value))
BRIDGE_LAZY_FORWARD(libsecret, void, g_hash_table_unref, (GHashTable * table), (table))
BRIDGE_LAZY_FORWARD(libsecret, guint, g_str_hash, (gconstpointer text), (text))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, g_str_equal, (gconstpointer left, gconstpointer right), (left, right))
BRIDGE_LAZY_FORWARD(libsecret, int, g_strcmp0, (const char* left, const char* right), (left, right))
BRIDGE_LAZY_FORWARD(libsecret, void, g_list_free_full, (GList * list, GDestroyNotify free_item), (list, free_item))
BRIDGE_LAZY_FORWARD(libsecret, void, g_object_unref, (gpointer object), (object))
BRIDGE_LAZY_FORWARD(libsecret, const GVariantType*, g_variant_type_checked_, (const gchar* type), (type))
BRIDGE_LAZY_FORWARD(libsecret, void, g_variant_unref, (GVariant * value), (value))
BRIDGE_LAZY_FORWARD(libsecret, void, g_variant_iter_free, (GVariantIter * iter), (iter))
BRIDGE_LAZY_FORWARD(libsecret, GVariant*, g_variant_iter_next_value, (GVariantIter * iter), (iter))
BRIDGE_LAZY_FORWARD(libsecret, const gchar*, g_variant_get_string, (GVariant * value, gsize* length), (value, length))

// The variadic GVariant builders go through their va_list forms.
extern "C" GVariant* g_variant_new(const gchar* format, ...) {
  static auto* const real = bridge::platform::lazy::libsecret().function<decltype(g_variant_new_va)>("g_variant_new_va");
  va_list args;
  va_start(args, format);
  GVariant* value = real(format, nullptr, &args);
  va_end(args);
  return value;
}

extern "C" void g_variant_get(GVariant* value, const gchar* format, ...) {
  static auto* const real = bridge::platform::lazy::libsecret().function<decltype(g_variant_get_va)>("g_variant_get_va");
  va_list args;
  va_start(args, format);
  real(value, format, nullptr, &args);
  va_end(args);
}

// GIO
BRIDGE_LAZY_FORWARD(libsecret, GQuark, g_io_error_quark, (void), ())
BRIDGE_LAZY_FORWARD(libsecret, GQuark, g_dbus_error_quark, (void), ())
BRIDGE_LAZY_FORWARD(libsecret, GCancellable*, g_cancellable_new, (void), ())
BRIDGE_LAZY_FORWARD(libsecret, void, g_cancellable_cancel, (GCancellable * cancellable), (cancellable))
BRIDGE_LAZY_FORWARD(libsecret, GDBusConnection*, g_bus_get_sync,
                    (GBusType type, GCancellable* cancellable, GError** error), (type, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, gchar*, g_dbus_address_get_for_bus_sync,
                    (GBusType type, GCancellable* cancellable, GError** error), (type, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, GDBusConnection*, g_dbus_connection_new_for_address_sync,
                    (const gchar* address, GDBusConnectionFlags flags, GDBusAuthObserver* observer,
                     GCancellable* cancellable, GError** error),
                    (address, flags, observer, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, void, g_dbus_connection_set_exit_on_close,
                    (GDBusConnection * connection, gboolean exit_on_close), (connection, exit_on_close))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, g_dbus_connection_close_sync,
                    (GDBusConnection * connection, GCancellable* cancellable, GError** error),
                    (connection, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, GVariant*, g_dbus_connection_call_sync,
                    (GDBusConnection * connection, const gchar* bus_name, const gchar* object_path,
                     const gchar* interface_name, const gchar* method_name, GVariant* parameters,
                     const GVariantType* reply_type, GDBusCallFlags flags, gint timeout_msec,
                     GCancellable* cancellable, GError** error),
                    (connection, bus_name, object_path, interface_name, method_name, parameters, reply_type, flags,
                     timeout_msec, cancellable, error))

// libsecret
BRIDGE_LAZY_FORWARD(libsecret, GQuark, secret_error_get_quark, (void), ())
BRIDGE_LAZY_FORWARD(libsecret, SecretService*, secret_service_get_sync,
                    (SecretServiceFlags flags, GCancellable* cancellable, GError** error), (flags, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, GList*, secret_service_search_sync,
                    (SecretService * service, const SecretSchema* schema, GHashTable* attributes, SecretSearchFlags flags,
                     GCancellable* cancellable, GError** error),
                    (service, schema, attributes, flags, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, secret_service_store_sync,
                    (SecretService * service, const SecretSchema* schema, GHashTable* attributes,
                     const gchar* collection, const gchar* label, SecretValue* value, GCancellable* cancellable,
                     GError** error),
                    (service, schema, attributes, collection, label, value, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, SecretCollection*, secret_collection_for_alias_sync,
                    (SecretService * service, const gchar* alias, SecretCollectionFlags flags,
                     GCancellable* cancellable, GError** error),
                    (service, alias, flags, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, gchar*, secret_collection_get_label, (SecretCollection * collection), (collection))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, secret_collection_get_locked, (SecretCollection * collection), (collection))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, secret_item_get_locked, (SecretItem * item), (item))
BRIDGE_LAZY_FORWARD(libsecret, SecretValue*, secret_item_get_secret, (SecretItem * item), (item))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, secret_item_load_secret_sync,
                    (SecretItem * item, GCancellable* cancellable, GError** error), (item, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, gboolean, secret_item_delete_sync,
                    (SecretItem * item, GCancellable* cancellable, GError** error), (item, cancellable, error))
BRIDGE_LAZY_FORWARD(libsecret, SecretValue*, secret_value_new,
                    (const gchar* secret, gssize length, const gchar* content_type), (secret, length, content_type))
BRIDGE_LAZY_FORWARD(libsecret, const gchar*, secret_value_get, (SecretValue * value, gsize* length), (value, length))
BRIDGE_LAZY_FORWARD(libsecret, void, secret_value_unref, (gpointer value), (value))
