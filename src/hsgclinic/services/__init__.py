"""Use cases: one function = one transaction. Routes, CLI commands and pages parse, call one of these, render.

Every function takes a :class:`~hsgclinic.services.context.ServiceContext` (settings, unit of work, clock,
calendar, place guard) and an :class:`~hsgclinic.services.context.Actor` (who asks, for the audit trail), and
raises a :class:`~hsgclinic.services.errors.ServiceError` (rule ID, machine code, translatable message) to refuse.

Modules: ``registration`` (numbers), ``screening`` (ELIG + application form), ``booking`` (procedure places),
``payments``, ``procedure`` (PROC, report, aftercare), ``staff`` (users, logins, sessions),
``admin`` (settings, calendar overrides, audit listing), ``patient_access``.
"""
