"""Writes of the meetings app. Import from the submodules:

- scheduling: meeting_schedule, meeting_cancel, attendee_rsvp
- update: meeting_update
- series: meeting_series_extend
- schedule_rows: AttendeeInput, AgendaInput, ScheduleResult (the inputs and rows they share)
- costs: meeting_mark_done, meeting_reopen, meeting_cost
- items: agenda and action items, notifications_mark_read
- reminders: reminders_dispatch (plan → claim → send → mark sent)
- calendar: .ics output and subscription feed tokens
- findtime: find_time / free_slots
"""
