"""The benchmark harness behind Benchmarks/bench.py, one job per module.

  settings   the pinning, buffer and payload sizes every comparison shares
  children   starting programs in their own process groups and killing them all on exit
  probes     kernel counters (/proc/net/snmp), free and listening ports, waiting helpers
  trials     the Bench class: each program's command, one trial, A/B alternation
  runner     a live run: the comparisons picked by --only in order, the facts of the machine
  stats      medians, per-pair ratios and number formatting
  sections   the report's section for each comparison (tables, meters, how to read them)
  report     the report as a whole: header, facts, summary, the sections, FINDINGS.md
"""
