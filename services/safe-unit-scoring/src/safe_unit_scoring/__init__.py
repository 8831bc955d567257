"""Neibao safe-unit scoring (平安单位): explainable scores, grades with hysteresis and veto, rankings."""
