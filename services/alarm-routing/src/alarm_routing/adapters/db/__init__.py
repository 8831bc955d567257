"""PostgreSQL: tables, repositories, the unit of work, the unit read model."""
