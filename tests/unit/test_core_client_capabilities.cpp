#include "catch.hpp"

#include "core/client_capabilities.hpp"

#include <nlohmann/json.hpp>

using namespace bridge::core;
using nlohmann::json;

TEST_CASE("an upstream's sampling, elicitation and roots requests need the client's capability", "[capabilities]") {
  json none = json::object();
  CHECK(unanswerable_by_client(none, "sampling/createMessage", json::object()).find("\"sampling\" capability") !=
        std::string::npos);
  CHECK_FALSE(unanswerable_by_client(none, "roots/list", json::object()).empty());
  CHECK_FALSE(unanswerable_by_client(none, "elicitation/create", json::object()).empty());
  // Not an object: not declared.
  CHECK_FALSE(unanswerable_by_client({{"sampling", true}}, "sampling/createMessage", json::object()).empty());
  CHECK_FALSE(unanswerable_by_client(json::array(), "roots/list", json::object()).empty());

  json all = {{"sampling", json::object()}, {"roots", {{"listChanged", true}}}, {"elicitation", json::object()}};
  CHECK(unanswerable_by_client(all, "sampling/createMessage", json::object()).empty());
  CHECK(unanswerable_by_client(all, "roots/list", json::object()).empty());
  CHECK(unanswerable_by_client(all, "elicitation/create", json::object()).empty());
  // Methods that need no capability are the client's to answer.
  CHECK(unanswerable_by_client(none, "ping", json::object()).empty());
  CHECK(unanswerable_by_client(none, "x/unknown", json::object()).empty());
}

TEST_CASE("elicitation modes: an empty capability is form only", "[capabilities]") {
  json empty = {{"elicitation", json::object()}};
  json url_only = {{"elicitation", {{"url", json::object()}}}};
  json both = {{"elicitation", {{"form", json::object()}, {"url", json::object()}}}};
  json url = {{"mode", "url"}};
  json form = {{"mode", "form"}};
  CHECK(unanswerable_by_client(empty, "elicitation/create", form).empty());
  CHECK_FALSE(unanswerable_by_client(empty, "elicitation/create", url).empty());
  CHECK_FALSE(unanswerable_by_client(url_only, "elicitation/create", form).empty());
  CHECK_FALSE(unanswerable_by_client(url_only, "elicitation/create", json::object()).empty());
  CHECK(unanswerable_by_client(url_only, "elicitation/create", url).empty());
  CHECK(unanswerable_by_client(both, "elicitation/create", url).empty());
  CHECK(unanswerable_by_client(both, "elicitation/create", json::object()).empty());
}
