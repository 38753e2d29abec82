-- Venue information served by GET /info (mobile-backend pattern: RDS for /info).
CREATE TABLE venue (
    id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),  -- exactly one venue
    name        text    NOT NULL,
    address     text    NOT NULL,
    city        text    NOT NULL,
    country     text    NOT NULL,
    capacity    integer NOT NULL CHECK (capacity > 0),
    phone       text,
    email       text,
    website     text,
    timezone    text    NOT NULL
);

CREATE TABLE opening_hours (
    weekday smallint PRIMARY KEY CHECK (weekday BETWEEN 1 AND 7),  -- ISO 8601: 1 = Monday
    opens   time,
    closes  time,
    note    text,
    CHECK ((opens IS NULL) = (closes IS NULL))                      -- both null = closed
);

CREATE TABLE venue_notes (
    section  text     NOT NULL CHECK (section IN ('accessibility', 'transport', 'policies')),
    position smallint NOT NULL CHECK (position > 0),
    body     text     NOT NULL,
    PRIMARY KEY (section, position)
);
