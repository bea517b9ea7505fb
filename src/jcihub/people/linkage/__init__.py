"""Batch identity resolution: which person records stand for the same human.

- `records`: what is compared about a person, read from the registry in batches and
  prepared the same way as intake matching prepares names (`people.matching`);
- `model`: the Splink model (blocking rules, comparisons, training by expectation
  maximisation, scoring, explanations, export for Spark and PostgreSQL);
- `runs`: `link_people`, the run behind `jcihub link people`, which stores automatic
  links and the review queue;
- `review`: a reviewer's decision on a proposed pair.
"""
