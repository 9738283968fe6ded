# Thin wrapper over CMake + Ninja. The README's two commands are
# `make demo` (set up, build, run the main job) and `make check` (set up,
# build, run every test).
BUILD      ?= build
ASAN_BUILD ?= build-asan
CMAKE_ARGS ?=
JOBS       ?= $(shell nproc)
# CI builds with warnings as errors; developers get warnings.
ifeq ($(CI),true)
CMAKE_ARGS += -DWT_WERROR=ON
endif

.PHONY: all setup build release asan check check-asan demo serve install deb format format-check clean

all: build

setup:
	@scripts/setup.sh

build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug $(CMAKE_ARGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

release:
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS) >/dev/null
	cmake --build build-release -j $(JOBS)

asan:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DWT_SANITIZE=ON $(CMAKE_ARGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Every test: unit, integration (real daemon, real HTTP, real databases).
check: setup build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Unit and integration tests under AddressSanitizer + UndefinedBehaviorSanitizer;
# LeakSanitizer makes any leak a failure.
check-asan: setup asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS) -L 'unit|integration'

# The main job: the daemon with the dashboard on the embedded SQLite file,
# fed by the built-in market simulator (no API keys needed).
demo: setup release
	./build-release/walltrack demo

serve: setup release
	./build-release/walltrack serve

# Installs the daemon, the dashboard (with its vendored libraries), the man
# page, the bash completion and the systemd unit under PREFIX (DESTDIR is
# honoured: `make install PREFIX=/usr DESTDIR=/tmp/stage`).
PREFIX ?= /usr/local
install:
	cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_ARGS) >/dev/null
	cmake --build build-release -j $(JOBS)
	cmake --install build-release

# The Debian package (build-deb/walltrack_<version>_<arch>.deb): prefix
# /usr, a system user and /var/lib/walltrack (dist/deb/).
deb:
	cmake -S . -B build-deb -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_INSTALL_PREFIX=/usr $(CMAKE_ARGS) >/dev/null
	cmake --build build-deb -j $(JOBS)
	cd build-deb && cpack -G DEB

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' '*.cc')
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-release build-deb
