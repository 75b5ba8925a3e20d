# Every external dependency, found once. All come from Debian packages:
# libpaho-mqttpp-dev libpaho-mqtt-dev libcli11-dev nlohmann-json3-dev libspdlog-dev doctest-dev libssl-dev
set(THREADS_PREFER_PTHREAD_FLAG ON)
find_package(Threads REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(eclipse-paho-mqtt-c 1.3 REQUIRED)
find_package(PahoMqttCpp 1.2 REQUIRED)
find_package(CLI11 2.1 REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(spdlog 1.10 REQUIRED)
if(MQTK_BUILD_TESTS)
  find_package(doctest 2.4 REQUIRED)
endif()
