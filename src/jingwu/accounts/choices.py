from jingwu.core.roles import Role

__all__ = ["Role"]
