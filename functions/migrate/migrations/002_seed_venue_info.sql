-- Seed data; the same content as functions/info/seed/venue.json (the S3 source).
INSERT INTO venue (id, name, address, city, country, capacity, phone, email, website, timezone)
VALUES (1, 'Multitier Hall', '1 Serverless Square', 'Seattle', 'US', 1200,
        '+1 206 555 0100', 'boxoffice@multitier.example', 'https://multitier.example', 'America/Los_Angeles')
ON CONFLICT (id) DO NOTHING;

INSERT INTO opening_hours (weekday, opens, closes, note) VALUES
    (1, NULL,    NULL,    'Closed'),
    (2, '10:00', '18:00', NULL),
    (3, '10:00', '18:00', NULL),
    (4, '10:00', '22:00', 'Late box office on show nights'),
    (5, '10:00', '23:00', NULL),
    (6, '12:00', '23:00', NULL),
    (7, '12:00', '18:00', NULL)
ON CONFLICT (weekday) DO NOTHING;

INSERT INTO venue_notes (section, position, body) VALUES
    ('accessibility', 1, 'Step-free access from the main entrance to every level by lift.'),
    ('accessibility', 2, 'Wheelchair spaces and companion seats can be booked at the box office.'),
    ('accessibility', 3, 'Hearing loop in the auditorium and at the box office.'),
    ('accessibility', 4, 'Assistance dogs are welcome.'),
    ('transport', 1, 'Light rail: Serverless Square station, 2 minutes on foot.'),
    ('transport', 2, 'Bicycle parking at the north entrance.'),
    ('policies', 1, 'Doors open 45 minutes before the show.'),
    ('policies', 2, 'Tickets can be cancelled until the show starts; seats are returned to sale.'),
    ('policies', 3, 'No flash photography during performances.')
ON CONFLICT (section, position) DO NOTHING;
