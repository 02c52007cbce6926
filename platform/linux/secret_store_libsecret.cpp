// The Linux keychain: the freedesktop Secret Service (gnome-keyring, KeePassXC, KWallet) through
// libsecret. Items use the schema "dev.mcp-bridge.Secret" with one attribute, "key"; the schema
// name is part of every lookup, so it must never change.
//
// Every call has a deadline: a watchdog thread cancels the call's GCancellable when it expires.
// A locked collection is reported as such, never as "not found" (libsecret's simple lookup hides
// locked items), and opening tells "no D-Bus session" apart from "no Secret Service provider".

#include "platform/linux/libsecret_store.hpp"

#include "platform/linux/lazy_library.hpp"

#include <libsecret/secret.h>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace bridge::platform {
namespace {

constexpr const char* k_service_name = "org.freedesktop.secrets";

// ---- owners for GLib handles -------------------------------------------------------------

struct ObjectUnref {
  void operator()(gpointer object) const { g_object_unref(object); }
};
template <typename T>
using Object = std::unique_ptr<T, ObjectUnref>;

struct HashUnref {
  void operator()(GHashTable* table) const { g_hash_table_unref(table); }
};
struct ValueUnref {
  void operator()(SecretValue* value) const { secret_value_unref(value); }
};
struct VariantUnref {
  void operator()(GVariant* variant) const { g_variant_unref(variant); }
};
struct ItemListFree {
  void operator()(GList* list) const { g_list_free_full(list, g_object_unref); }
};
struct CharFree {
  void operator()(gchar* text) const { g_free(text); }
};

class GErrorHolder {
public:
  GErrorHolder() = default;
  GErrorHolder(const GErrorHolder&) = delete;
  GErrorHolder& operator=(const GErrorHolder&) = delete;
  ~GErrorHolder() { clear(); }
  GError** out() {
    clear();
    return &m_error;
  }
  [[nodiscard]] const GError* get() const { return m_error; }
  explicit operator bool() const { return m_error != nullptr; }
  [[nodiscard]] std::string message() const { return m_error ? m_error->message : "unknown error"; }

private:
  void clear() {
    if (m_error) {
      g_error_free(m_error);
      m_error = nullptr;
    }
  }
  GError* m_error = nullptr;
};

// ---- deadline ------------------------------------------------------------------------------

// Cancels its GCancellable when `deadline` passes before destruction.
class Watchdog {
public:
  explicit Watchdog(std::chrono::milliseconds deadline)
      : m_cancellable(g_cancellable_new()), m_thread([this, deadline] { watch(deadline); }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      std::lock_guard lock(m_mutex);
      m_done = true;
    }
    m_wake.notify_all();
    m_thread.join();
  }
  [[nodiscard]] GCancellable* cancellable() const { return m_cancellable.get(); }
  [[nodiscard]] bool fired() {
    std::lock_guard lock(m_mutex);
    return m_fired;
  }

private:
  void watch(std::chrono::milliseconds deadline) {
    std::unique_lock lock(m_mutex);
    if (!m_wake.wait_for(lock, deadline, [this] { return m_done; })) {
      m_fired = true;
      g_cancellable_cancel(m_cancellable.get());
    }
  }

  Object<GCancellable> m_cancellable;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  bool m_done = false;
  bool m_fired = false;
  std::thread m_thread; // last: starts after the members it uses
};

// ---- schema and errors ---------------------------------------------------------------------

const SecretSchema& schema() {
  static const SecretSchema value = [] {
    SecretSchema s{};
    s.name = "dev.mcp-bridge.Secret";
    s.flags = SECRET_SCHEMA_NONE;
    s.attributes[0].name = "key";
    s.attributes[0].type = SECRET_SCHEMA_ATTRIBUTE_STRING;
    return s;
  }();
  return value;
}

std::unique_ptr<GHashTable, HashUnref> attributes_for(const std::string& key) {
  std::unique_ptr<GHashTable, HashUnref> table(g_hash_table_new(g_str_hash, g_str_equal));
  g_hash_table_insert(table.get(), const_cast<char*>("key"), const_cast<char*>(key.c_str()));
  return table;
}

std::string ms(std::chrono::milliseconds deadline) { return std::to_string(deadline.count()) + " ms"; }

core::Error locked_error(const std::string& what) {
  return core::make_error(core::ErrorKind::unavailable,
                          "the Secret Service keyring " + what +
                              " is locked; unlock it (log in to the desktop session, or unlock it in your "
                              "keyring manager such as Seahorse or KeePassXC) and retry");
}

core::Error no_provider_error() {
  return core::make_error(core::ErrorKind::unavailable,
                          "no Secret Service provider on the D-Bus session bus (org.freedesktop.secrets has no "
                          "owner and cannot be activated); install and start gnome-keyring or KeePassXC");
}

core::Error classify(const GErrorHolder& error, Watchdog& watchdog, std::chrono::milliseconds deadline,
                     const std::string& doing) {
  const GError* e = error.get();
  if (watchdog.fired() || (e && (g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY) ||
                                 g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_TIMEOUT) ||
                                 g_error_matches(e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT)))) {
    return core::make_error(core::ErrorKind::timeout,
                            "the Secret Service did not answer within " + ms(deadline) + " while " + doing +
                                " (a keyring prompt may be waiting, or the service hangs)");
  }
  if (e && (g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
            g_error_matches(e, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))) {
    return no_provider_error();
  }
  if (e && g_error_matches(e, SECRET_ERROR, SECRET_ERROR_IS_LOCKED)) {
    return locked_error("collection");
  }
  if (e && g_error_matches(e, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
    return core::make_error(core::ErrorKind::unavailable,
                            "the D-Bus session bus went away while " + doing + ": " + error.message());
  }
  return core::make_error(core::ErrorKind::unavailable, "Secret Service error while " + doing + ": " + error.message());
}

// ---- reachability probe (a private connection, so the answer reflects the current
// environment even after GLib cached a shared session bus) ---------------------------------

core::Status probe(std::chrono::milliseconds deadline) {
  Watchdog watchdog(deadline);
  GErrorHolder error;
  std::unique_ptr<gchar, CharFree> address(
      g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SESSION, watchdog.cancellable(), error.out()));
  if (!address) {
    return core::make_error(core::ErrorKind::unavailable,
                            "no D-Bus session bus (" + error.message() +
                                "); log in to a desktop session or start one with dbus-run-session");
  }
  Object<GDBusConnection> connection(g_dbus_connection_new_for_address_sync(
      address.get(),
      static_cast<GDBusConnectionFlags>(G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION),
      nullptr, watchdog.cancellable(), error.out()));
  if (!connection) {
    if (watchdog.fired()) {
      return classify(error, watchdog, deadline, "connecting to the D-Bus session bus");
    }
    return core::make_error(core::ErrorKind::unavailable,
                            "no D-Bus session bus: cannot connect to " + std::string(address.get()) + " (" +
                                error.message() + "); check DBUS_SESSION_BUS_ADDRESS or log in to a desktop session");
  }
  auto call = [&](const char* method, GVariant* parameters, const char* reply_type) {
    return std::unique_ptr<GVariant, VariantUnref>(g_dbus_connection_call_sync(
        connection.get(), "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", method, parameters,
        G_VARIANT_TYPE(reply_type), G_DBUS_CALL_FLAGS_NONE, static_cast<gint>(deadline.count()),
        watchdog.cancellable(), error.out()));
  };
  bool available = false;
  if (auto reply = call("NameHasOwner", g_variant_new("(s)", k_service_name), "(b)")) {
    gboolean owned = FALSE;
    g_variant_get(reply.get(), "(b)", &owned);
    available = owned != FALSE;
  } else {
    g_dbus_connection_close_sync(connection.get(), nullptr, nullptr);
    return classify(error, watchdog, deadline, "asking the session bus for the Secret Service");
  }
  if (!available) {
    if (auto reply = call("ListActivatableNames", nullptr, "(as)")) {
      GVariantIter* names = nullptr;
      g_variant_get(reply.get(), "(as)", &names);
      while (GVariant* name = g_variant_iter_next_value(names)) {
        if (g_strcmp0(g_variant_get_string(name, nullptr), k_service_name) == 0) {
          available = true;
        }
        g_variant_unref(name);
      }
      g_variant_iter_free(names);
    }
  }
  g_dbus_connection_close_sync(connection.get(), nullptr, nullptr);
  if (!available) {
    return no_provider_error();
  }
  return core::ok_status();
}

// ---- the store -----------------------------------------------------------------------------

class LibsecretStore final : public SecretStore {
public:
  LibsecretStore(Object<SecretService> service, std::chrono::milliseconds deadline)
      : m_service(std::move(service)), m_deadline(deadline) {}

  core::Result<std::optional<std::string>> get(const std::string& key) override {
    std::lock_guard lock(m_mutex);
    Watchdog watchdog(m_deadline);
    GErrorHolder error;
    auto attributes = attributes_for(key);
    std::unique_ptr<GList, ItemListFree> items(secret_service_search_sync(
        m_service.get(), &schema(), attributes.get(),
        static_cast<SecretSearchFlags>(SECRET_SEARCH_ALL | SECRET_SEARCH_LOAD_SECRETS), watchdog.cancellable(),
        error.out()));
    if (error) {
      return classify(error, watchdog, m_deadline, "looking up a secret");
    }
    bool saw_locked = false;
    for (GList* node = items.get(); node != nullptr; node = node->next) {
      auto* item = static_cast<SecretItem*>(node->data);
      if (secret_item_get_locked(item)) {
        saw_locked = true;
        continue;
      }
      std::unique_ptr<SecretValue, ValueUnref> value(secret_item_get_secret(item));
      if (!value) {
        if (!secret_item_load_secret_sync(item, watchdog.cancellable(), error.out())) {
          return classify(error, watchdog, m_deadline, "reading a secret");
        }
        value.reset(secret_item_get_secret(item));
      }
      if (value) {
        gsize length = 0;
        const gchar* bytes = secret_value_get(value.get(), &length);
        return std::optional<std::string>(std::string(bytes, length));
      }
    }
    if (saw_locked) {
      return locked_error("item for \"" + key + "\"");
    }
    // Nothing found. In a locked collection that may only mean "not visible": say so.
    auto collection = default_collection(watchdog, error);
    if (!collection) {
      return collection.error();
    }
    if (*collection && secret_collection_get_locked(collection->get())) {
      return locked_error(collection_name(collection->get()));
    }
    return std::optional<std::string>();
  }

  core::Status set(const std::string& key, const std::string& value) override {
    std::lock_guard lock(m_mutex);
    Watchdog watchdog(m_deadline);
    GErrorHolder error;
    auto collection = default_collection(watchdog, error);
    if (!collection) {
      return collection.error();
    }
    if (!*collection) {
      return core::make_error(core::ErrorKind::unavailable,
                              "the Secret Service has no default keyring; create one in your keyring manager "
                              "(e.g. Seahorse) and retry");
    }
    if (secret_collection_get_locked(collection->get())) {
      return locked_error(collection_name(collection->get()));
    }
    auto attributes = attributes_for(key);
    std::unique_ptr<SecretValue, ValueUnref> secret(
        secret_value_new(value.data(), static_cast<gssize>(value.size()), "text/plain"));
    std::string label = "mcp-bridge: " + key;
    if (!secret_service_store_sync(m_service.get(), &schema(), attributes.get(), SECRET_COLLECTION_DEFAULT,
                                   label.c_str(), secret.get(), watchdog.cancellable(), error.out())) {
      return classify(error, watchdog, m_deadline, "storing a secret");
    }
    return core::ok_status();
  }

  core::Status erase(const std::string& key) override {
    std::lock_guard lock(m_mutex);
    Watchdog watchdog(m_deadline);
    GErrorHolder error;
    auto attributes = attributes_for(key);
    std::unique_ptr<GList, ItemListFree> items(secret_service_search_sync(m_service.get(), &schema(),
                                                                          attributes.get(), SECRET_SEARCH_ALL,
                                                                          watchdog.cancellable(), error.out()));
    if (error) {
      return classify(error, watchdog, m_deadline, "looking up a secret to erase");
    }
    for (GList* node = items.get(); node != nullptr; node = node->next) {
      if (secret_item_get_locked(static_cast<SecretItem*>(node->data))) {
        return locked_error("item for \"" + key + "\"");
      }
    }
    for (GList* node = items.get(); node != nullptr; node = node->next) {
      if (!secret_item_delete_sync(static_cast<SecretItem*>(node->data), watchdog.cancellable(), error.out())) {
        return classify(error, watchdog, m_deadline, "erasing a secret");
      }
    }
    return core::ok_status();
  }

  [[nodiscard]] std::string describe() const override { return "keychain (Secret Service)"; }
  [[nodiscard]] bool is_keychain() const override { return true; }

private:
  // The collection behind the "default" alias; a null pointer when there is none.
  core::Result<Object<SecretCollection>> default_collection(Watchdog& watchdog, GErrorHolder& error) {
    Object<SecretCollection> collection(secret_collection_for_alias_sync(
        m_service.get(), SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, watchdog.cancellable(), error.out()));
    if (error) {
      return classify(error, watchdog, m_deadline, "finding the default keyring");
    }
    return collection;
  }

  static std::string collection_name(SecretCollection* collection) {
    std::unique_ptr<gchar, CharFree> label(secret_collection_get_label(collection));
    return "\"" + std::string(label && *label.get() ? label.get() : "default") + "\"";
  }

  Object<SecretService> m_service;
  std::chrono::milliseconds m_deadline;
  std::mutex m_mutex;
};

} // namespace

core::Result<std::unique_ptr<SecretStore>> open_libsecret_store(std::chrono::milliseconds deadline) {
  // libsecret is opened now, at the first keychain access: a machine without it has no keychain.
  if (auto missing = lazy::libsecret().load_error()) {
    return core::make_error(core::ErrorKind::unavailable, *missing);
  }
  if (auto reachable = probe(deadline); !reachable) {
    return reachable.error();
  }
  Watchdog watchdog(deadline);
  GErrorHolder error;
  // libsecret uses GLib's shared session connection; by default GLib exits the process when that
  // connection closes. A vanished keyring must be an error value, not an exit.
  if (Object<GDBusConnection> bus(g_bus_get_sync(G_BUS_TYPE_SESSION, watchdog.cancellable(), error.out())); bus) {
    g_dbus_connection_set_exit_on_close(bus.get(), FALSE);
  } else {
    return classify(error, watchdog, deadline, "connecting to the D-Bus session bus");
  }
  Object<SecretService> service(secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, watchdog.cancellable(),
                                                        error.out()));
  if (!service) {
    return classify(error, watchdog, deadline, "opening the Secret Service");
  }
  return std::unique_ptr<SecretStore>(std::make_unique<LibsecretStore>(std::move(service), deadline));
}

} // namespace bridge::platform
