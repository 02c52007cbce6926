# Homebrew formula for mcp-bridge. The url and sha256 below are filled in for each release by
# installers/homebrew/update-formula.sh (the release workflow runs it and attaches the result);
# see installers/homebrew/README.md for publishing it in a tap.
class McpBridge < Formula
  desc "Serve many remote MCP servers to AI clients as one local stdio server"
  homepage "https://github.com/mcp-bridge/mcp-bridge"
  url "https://github.com/mcp-bridge/mcp-bridge/archive/refs/tags/v0.1.0.tar.gz"
  sha256 "0000000000000000000000000000000000000000000000000000000000000000"
  license "MIT"
  head "https://github.com/mcp-bridge/mcp-bridge.git", branch: "main"

  livecheck do
    url :stable
    strategy :github_latest
  end

  depends_on "cli11" => :build
  depends_on "cmake" => :build
  depends_on "nlohmann-json" => :build
  depends_on "pkgconf" => :build
  depends_on "fmt"
  depends_on "openssl@3"
  depends_on "simdjson"
  depends_on "spdlog"

  uses_from_macos "curl"

  on_linux do
    depends_on "glib"
    depends_on "libsecret"
  end

  def install
    # Every dependency comes from Homebrew: the build fetches nothing (no FetchContent).
    system "cmake", "-S", ".", "-B", "build", "-DBUILD_TESTING=OFF", *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/bridge --version")

    # One upstream on a loopback port nothing listens on: the bridge still answers initialize at
    # once (it never waits for upstreams) and exits 0 when the client closes stdin.
    (testpath/"config.json").write <<~JSON
      { "servers": { "down": { "url": "http://127.0.0.1:#{free_port}/mcp", "auth": "none" } } }
    JSON
    ENV["BRIDGE_CONFIG"] = (testpath/"config.json").to_s
    ENV["XDG_CONFIG_HOME"] = (testpath/"config").to_s
    ENV["XDG_DATA_HOME"] = (testpath/"data").to_s

    request = {
      jsonrpc: "2.0",
      id:      1,
      method:  "initialize",
      params:  {
        protocolVersion: "2025-06-18",
        capabilities:    {},
        clientInfo:      { name: "brew-test", version: "0" },
      },
    }
    output = pipe_output("#{bin}/bridge serve", "#{JSON.generate(request)}\n", 0)
    answer = output.lines.map { |line| JSON.parse(line) }.find { |message| message["id"] == 1 }
    refute_nil answer, "no answer to initialize in:\n#{output}"
    assert_equal "mcp-bridge", answer.dig("result", "serverInfo", "name")
  end
end
