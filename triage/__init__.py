"""triage: rank the PRs and issues a maintainers' meeting agenda names, against explicit criteria."""
