// libFuzzer target for what goes to the AI client (transport/client_output): an arbitrary sequence
// of whole messages and pieces of streamed results (ended, abandoned), with arbitrary bytes in
// them, small limits so every path is taken (gathered, flowing, backlogged, written at once).
// Invariants: the output is lines only (no CR, every line ends); each whole message is exactly one
// line, its line breaks folded, in the order written; each ended stream is exactly one line; an
// abandoned one is a prefix of what it would have been, or absent; nothing else appears.

#include "transport/client_output.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

using bridge::transport::ClientOutput;

namespace {

void check(bool condition) {
  if (!condition) {
    std::abort();
  }
}

std::string folded(std::string_view bytes) {
  std::string out(bytes);
  for (char& c : out) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::mutex mutex;
  std::string out;
  ClientOutput::Options options;
  options.commit_bytes = 16;
  options.fast_window = std::chrono::seconds(10);
  options.high_water = 256;
  options.low_water = 64;
  bool direct = size > 0 && (data[0] & 1) != 0;
  std::vector<std::string> messages;           // as they must appear
  std::map<int, std::string> ended, abandoned; // streams by number
  {
    ClientOutput output(
        [&](std::string_view bytes) {
          std::lock_guard<std::mutex> lock(mutex);
          out.append(bytes);
          return true;
        },
        [direct](std::size_t) { return direct; }, options);
    int streams = 0;
    int open = -1;
    std::string open_text;
    std::size_t at = 1;
    auto payload = [&]() {
      std::size_t length = at < size ? data[at++] % 40 : 0;
      length = std::min(length, size - std::min(at, size));
      std::string_view bytes(reinterpret_cast<const char*>(data) + at, length);
      at += length;
      return bytes;
    };
    while (at < size) {
      switch (data[at++] % 5) {
      case 0: {
        std::string message = "M" + std::to_string(messages.size()) + ":" + std::string(payload());
        std::string expected = folded(message);
        while (!expected.empty() && (expected.back() == ' ' || expected.back() == '\t')) {
          expected.pop_back();
        }
        messages.push_back(expected);
        output.write_message(std::move(message));
        break;
      }
      case 1: {
        std::string piece(payload());
        if (open < 0) {
          open = streams++;
          piece = "S" + std::to_string(open) + ":" + piece;
          open_text.clear();
        }
        open_text += folded(piece);
        output.write_piece(piece);
        break;
      }
      case 2:
        if (open >= 0) {
          output.end_pieces();
          ended[open] = open_text;
          open = -1;
        }
        break;
      case 3:
        if (open >= 0) {
          output.abandon_pieces();
          abandoned[open] = open_text;
          open = -1;
        }
        break;
      default:
        output.flush(std::chrono::milliseconds(0));
        break;
      }
    }
    if (open >= 0) {
      output.end_pieces();
      ended[open] = open_text;
    }
    output.flush(std::chrono::seconds(10));
  }
  std::lock_guard<std::mutex> lock(mutex);
  check(out.find('\r') == std::string::npos);
  check(out.empty() || out.back() == '\n');
  std::size_t next_message = 0;
  std::map<int, int> seen;
  std::size_t start = 0;
  for (std::size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(out.data() + start, nl - start);
    check(!line.empty());
    if (line[0] == 'M') {
      check(next_message < messages.size() && line == messages[next_message]);
      ++next_message;
      continue;
    }
    check(line[0] == 'S');
    int number = std::atoi(std::string(line.substr(1)).c_str());
    check(++seen[number] == 1);
    if (auto it = ended.find(number); it != ended.end()) {
      check(line == it->second);
    } else {
      auto cut = abandoned.find(number);
      check(cut != abandoned.end() && cut->second.compare(0, line.size(), line) == 0);
    }
  }
  check(next_message == messages.size());
  for (const auto& [number, text] : ended) {
    check(seen[number] == 1);
  }
  return 0;
}
