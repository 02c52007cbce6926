# Runs the formula's `test do` block without Homebrew, against an already installed `bridge`
# (CI installs the .deb first). It stands in for the few Formula helpers the block uses
# (bin, testpath, version, shell_output, pipe_output, free_port, assert_*), so a broken test
# block is caught before a tap's `brew test` ever sees it.
#   ruby installers/homebrew/run-test-block.rb BIN_DIR VERSION
require "json"
require "open3"
require "pathname"
require "socket"
require "tmpdir"

# The subset of Homebrew's Formula DSL the formula file uses: everything but `test` is ignored.
class Formula
  class << self
    attr_reader :test_block

    def test(&block)
      @test_block = block
    end

    def method_missing(*) = nil
    def respond_to_missing?(*) = true
  end

  attr_reader :bin, :testpath, :version

  def initialize(bin, version, testpath)
    @bin = Pathname(bin)
    @version = version
    @testpath = Pathname(testpath)
  end

  def shell_output(cmd, status = 0)
    out, st = Open3.capture2(cmd)
    assert_equal status, st.exitstatus, "`#{cmd}` exited #{st.exitstatus}" if status
    out
  end

  def pipe_output(cmd, input = nil, status = nil)
    out, st = Open3.capture2(cmd, stdin_data: input.to_s)
    assert_equal status, st.exitstatus, "`#{cmd}` exited #{st.exitstatus}" if status
    out
  end

  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  def assert_equal(expected, actual, message = nil)
    return if expected == actual

    raise "#{message || "assert_equal"}: expected #{expected.inspect}, got #{actual.inspect}"
  end

  def assert_match(pattern, string, message = nil)
    pattern = Regexp.new(Regexp.escape(pattern)) if pattern.is_a?(String)
    raise "#{message || "assert_match"}: #{pattern.inspect} !~ #{string.inspect}" unless pattern.match?(string)
  end

  def refute_nil(object, message = nil)
    raise(message || "refute_nil") if object.nil?
  end

  def assert(test, message = nil)
    raise(message || "assert") unless test
  end
end

bin_dir, version = ARGV
abort "usage: run-test-block.rb BIN_DIR VERSION" unless bin_dir && version
load File.expand_path("mcp-bridge.rb", __dir__)
abort "mcp-bridge.rb has no test block" unless McpBridge.test_block

Dir.mktmpdir("brew-test") do |dir|
  saved = ENV.to_h
  begin
    ENV["HOME"] = dir
    Dir.chdir(dir) { McpBridge.new(bin_dir, version, dir).instance_eval(&McpBridge.test_block) }
  ensure
    ENV.replace(saved)
  end
end
puts "formula test block passed against #{bin_dir}/bridge"
