# The two commands of the README's Quickstart, and a few conveniences.
.PHONY: demo test build clean

# Installs what is missing, builds, and runs the main example end to end.
demo:
	@scripts/setup.sh
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j2 --target kclient-demo
	@build/release/kclient-demo

# Builds and runs the whole test suite (sanitizer build with fuzz smoke runs, then release build).
test:
	@scripts/test.sh

build:
	@scripts/setup.sh
	@cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build/release -j2

clean:
	rm -rf build
