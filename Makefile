# The two commands of the README, plus the benchmarks. Every target installs what is
# missing first (scripts/bootstrap.sh is idempotent and quick when nothing is).
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT ?= swift
SAMPLE_REQUEST ?= docs/examples/panel-three-zones.json

.PHONY: setup build run run-postgres slots test lint format bench bench-service bench-stores bench-postgres bench-contention sanitize clean

setup:
	@scripts/bootstrap.sh

build: setup
	$(SWIFT) build

## Starts the whole service on embedded defaults and prints a curl that books an interview.
run: build
	scripts/run-embedded.sh

## Two instances of the service on one private PostgreSQL server, with the dev cluster and
## the responder (scripts/run-two-instances.sh).
run-postgres: build
	scripts/run-two-instances.sh

## Finds interview slots for the sample panel (London, New York, Berlin) and prints them.
slots: build
	.build/debug/scheduler slots --request $(SAMPLE_REQUEST) --format table

## Installs what is missing, builds, and runs every test, then the API against
## docs/openapi.yaml (schemathesis, fixed seed; scripts/schemathesis.sh).
test: setup lint
	$(SWIFT) build --build-tests
	SWIFT=$(SWIFT) scripts/swift-test.sh
	scripts/schemathesis.sh

## The code as .swift-format lays it out (swift-format comes with the toolchain).
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests benchmarks Package.swift

## Lays the code out as .swift-format says.
format:
	$(SWIFT) format format --in-place --recursive --parallel Sources Tests benchmarks Package.swift

## Release-build benchmarks; figures go to benchmarks/RESULTS.md by hand, with this command.
bench: setup
	$(SWIFT) run -c release SlotFinderBenchmark 30

## End to end through the dev cluster, the service and the responder (release build), with
## the stage breakdown and peak memory; then, in the same run, the Kafka pipeline next to kcat.
bench-service: setup
	$(SWIFT) build -c release --product scheduler
	$(SWIFT) build -c release --product SagaEngineBenchmark
	$(SWIFT) build -c release --product ServiceBenchmark
	$(SWIFT) build -c release --product KafkaPipelineBenchmark
	.build/release/ServiceBenchmark
	.build/release/KafkaPipelineBenchmark 2000

## Stored saga transitions per second on SQLite and on a private PostgreSQL server (fsync on),
## in one run (release build).
bench-stores: setup
	$(SWIFT) build -c release --product SagaStoreBackendsBenchmark
	.build/release/SagaStoreBackendsBenchmark

## Issue 18's figures in one run: stored saga transitions/s on SQLite and PostgreSQL, then the
## service end to end on SQLite, on PostgreSQL with one instance and with three (release build).
bench-postgres: setup
	$(SWIFT) build -c release --product SagaStoreBackendsBenchmark
	$(SWIFT) build -c release --product scheduler
	$(SWIFT) build -c release --product SagaEngineBenchmark
	$(SWIFT) build -c release --product ServiceBenchmark
	.build/release/SagaStoreBackendsBenchmark
	BENCH_POSTGRES_INSTANCES=0 .build/release/ServiceBenchmark
	BENCH_POSTGRES_INSTANCES=1 .build/release/ServiceBenchmark
	BENCH_POSTGRES_INSTANCES=3 .build/release/ServiceBenchmark

## The cost of the interviewer-time ledger: 200 requests on one shared panel versus 200 on
## panels of their own, through the dev cluster (release build).
bench-contention: setup
	$(SWIFT) build -c release --product scheduler
	$(SWIFT) build -c release --product ServiceBenchmark
	.build/release/ServiceBenchmark contention 200

clean:
	rm -rf .build

## AddressSanitizer and LeakSanitizer over the C boundaries: every corpus file, invitations, feeds.
sanitize: setup
	$(SWIFT) build --sanitize=address --scratch-path .build-asan --product scheduler
	scripts/sanitize-check.sh .build-asan/debug/scheduler
