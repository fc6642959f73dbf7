"""The four standards of the Four-Star Officer evaluation and their default criteria.

A new cycle copies the rules of the bureau's latest cycle; the bureau's first cycle
starts from these. Each standard's criteria weigh 100 in all; a star is awarded when
the standard's weighted score, out of 100, reaches its pass mark.
"""

from __future__ import annotations

# code, Chinese name, English name, pass mark, criteria: (code, zh, en, weight, evidence source)
DEFAULT_STANDARDS = [
    (
        "loyalty",
        "忠诚",
        "Loyalty",
        80,
        [
            ("political_study", "政治学习", "Political study", 40, "training"),
            ("duty_attendance", "履职尽责", "Attendance to duty", 60, "incidents"),
        ],
    ),
    (
        "service",
        "为民",
        "Service to the people",
        80,
        [
            ("incidents_handled", "接处警服务", "Incidents handled", 40, "incidents"),
            ("visits_mediation", "走访调解", "Visits and mediation", 30, "grid_work"),
            ("public_praise", "群众评价", "Public praise", 30, "commendations"),
        ],
    ),
    (
        "law",
        "公正",
        "Fair law enforcement",
        80,
        [
            ("case_quality", "办案质量", "Case quality", 70, "cases"),
            ("no_complaints", "执法无投诉", "Enforcement without complaints", 30, "complaints"),
        ],
    ),
    (
        "discipline",
        "廉洁",
        "Strict discipline",
        80,
        [
            ("clean_record", "纪律作风", "Discipline record", 70, "discipline"),
            ("training_days", "教育培训", "Training days", 30, "training"),
        ],
    ),
]
