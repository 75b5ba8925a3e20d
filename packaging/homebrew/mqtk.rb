# Homebrew formula for mqtk (macOS and Linuxbrew). Not run in mqtk's CI: there is no brew there.
# Until mqtk has a release tarball it installs from git: brew install --HEAD ./packaging/homebrew/mqtk.rb
# Homebrew has paho's C library (libpaho-mqtt) but not the C++ one, so the formula builds
# paho.mqtt.cpp 1.2.0, the version mqtk is written and tested against, as a private resource.
class Mqtk < Formula
  desc "MQTT toolkit for the shell: sub, pub, request/response, connection checks"
  homepage "https://github.com/mqtk/mqtk"
  head "https://github.com/mqtk/mqtk.git", branch: "main"

  depends_on "cli11" => :build
  depends_on "cmake" => :build
  depends_on "ninja" => :build
  depends_on "nlohmann-json" => :build
  depends_on "libpaho-mqtt"
  depends_on "openssl@3"
  depends_on "spdlog"

  resource "paho-mqtt-cpp" do
    url "https://github.com/eclipse-paho/paho.mqtt.cpp.git", tag: "v1.2.0"
  end

  def install
    paho_cpp = libexec/"paho-mqtt-cpp"
    resource("paho-mqtt-cpp").stage do
      system "cmake", "-S", ".", "-B", "build", "-G", "Ninja", "-DPAHO_WITH_SSL=ON",
             "-DPAHO_BUILD_SHARED=ON", "-DPAHO_BUILD_STATIC=OFF", *std_cmake_args(install_prefix: paho_cpp)
      system "cmake", "--build", "build"
      system "cmake", "--install", "build"
    end
    system "cmake", "-S", ".", "-B", "build", "-G", "Ninja", "-DMQTK_BUILD_TESTS=OFF",
           "-DCMAKE_PREFIX_PATH=#{paho_cpp}", "-DCMAKE_INSTALL_RPATH=#{paho_cpp}/lib",
           *std_cmake_args
    system "cmake", "--build", "build"
    system "cmake", "--install", "build"
  end

  test do
    assert_match "mqtk", shell_output("#{bin}/mqtk --version")
    # Nothing listens on port 9: status 3, "could not connect".
    assert_match "mqtk: error", shell_output("#{bin}/mqtk conn -h 127.0.0.1 -p 9 2>&1", 3)
  end
end
