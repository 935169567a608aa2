"""Rules as data: YAML files under ``tactful/styles`` run by a small engine."""

from tactful.rules.engine import Rule, RuleError, load_rules, run_memory_rules, run_rules

__all__ = ["Rule", "RuleError", "load_rules", "run_memory_rules", "run_rules"]
