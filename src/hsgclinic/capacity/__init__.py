"""The capacity planner's model: simulated women following the real rules, the offline optimum and the what-ifs.

Pure model code, kept out of the domain because it draws random numbers and solves an integer program (scipy's
HiGHS). It never copies a rule: every simulated woman is planned with :func:`hsgclinic.domain.planning.plan_visit`
and booked with :func:`hsgclinic.domain.booking.offer_dates` / :func:`~hsgclinic.domain.booking.judge_booking`.
The service :mod:`hsgclinic.services.capacity` builds a :class:`~hsgclinic.capacity.simulation.Scenario` from the
clinic's settings, calendar and history; see docs/capacity.md.
"""
