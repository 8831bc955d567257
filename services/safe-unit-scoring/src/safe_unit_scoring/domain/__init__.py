"""Pure scoring rules: the indicator model, facts as of a day, scores, grades."""
