-- The warehouse's stable tables. Documented column by column in docs/tables.md.
-- Every statement is idempotent: the schema is applied on every write session.

CREATE TABLE IF NOT EXISTS area (
    area_code   VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    level       VARCHAR NOT NULL,      -- polisregion | polisomrade | lpo | lan | kommun
    parent_code VARCHAR,               -- kommun -> lan -> polisregion; lpo -> polisomrade -> polisregion
    approximate BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE IF NOT EXISTS lpo_kommun (
    lpo_code    VARCHAR NOT NULL,
    kommun_code VARCHAR NOT NULL,
    share       DOUBLE NOT NULL,       -- share of the kommun's population in the LPO's part (0-1)
    part        VARCHAR,               -- which part of a split kommun (e.g. stadsdelsområden)
    PRIMARY KEY (lpo_code, kommun_code)
);

CREATE TABLE IF NOT EXISTS area_geometry (
    area_code    VARCHAR PRIMARY KEY,
    level        VARCHAR NOT NULL,
    approximate  BOOLEAN NOT NULL,
    geojson      VARCHAR NOT NULL,     -- simplified geometry, WGS 84, 5 decimals
    area_km2     DOUBLE,               -- computed in SWEREF 99 TM (EPSG:3006)
    centroid_lat DOUBLE,               -- computed in EPSG:3006, stored as WGS 84
    centroid_lon DOUBLE,
    source       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS population (
    kommun_code VARCHAR NOT NULL,
    year        INTEGER NOT NULL,      -- population on 31 December of the year
    age_band    VARCHAR NOT NULL,      -- 0-11 | 12-14 | 15-17 | 18-24 | 25-64 | 65+
    sex         VARCHAR NOT NULL,      -- M | K
    population  BIGINT NOT NULL,
    source      VARCHAR NOT NULL,
    load_id     BIGINT,
    PRIMARY KEY (kommun_code, year, age_band, sex)
);

-- No primary key on purpose: at 15 M rows an index costs more than the anti-join the
-- loader uses to keep incident_id unique.
CREATE TABLE IF NOT EXISTS incident (
    incident_id   VARCHAR NOT NULL,    -- source-prefixed, e.g. polisen:123456
    occurred_at   TIMESTAMP NOT NULL,  -- local time, Europe/Stockholm
    incident_type VARCHAR NOT NULL,    -- our category (docs/tables.md)
    kommun_code   VARCHAR,             -- null when the source only names the län
    lan_code      VARCHAR NOT NULL,
    lpo_code      VARCHAR,             -- null where a split kommun cannot be placed
    grid_cell     VARCHAR,             -- SCB 1 km grid cell in SWEREF 99 TM, never finer
    source        VARCHAR NOT NULL,
    source_type   VARCHAR,             -- the source's own type label
    load_id       BIGINT NOT NULL
);

-- When the source published the stored version of an event (the police feed's
-- ``datetime``, Stockholm time). The police update a notice under its id; a load offering
-- another version of a stored event replaces it only when that version was published at
-- the same time or later, so an older collector's file loaded after a fetch cannot bring
-- back a version the police have since changed (docs/sources/polisen.md).
CREATE TABLE IF NOT EXISTS incident_version (
    incident_id  VARCHAR PRIMARY KEY,
    published_at TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS recruitment_signal (
    month       DATE NOT NULL,         -- first day of the calendar month
    area_code   VARCHAR NOT NULL,      -- usually an LPO, may be a kommun
    age_band    VARCHAR NOT NULL,      -- under 12 | 12-14 | 15-17 | 18-20
    sex         VARCHAR NOT NULL,      -- M | K | X (unknown)
    source      VARCHAR NOT NULL,      -- polis | socialtjänst | skola | fritid | SiS/HVB
    signal_type VARCHAR NOT NULL,
    count       INTEGER NOT NULL,      -- number of signals; person-level, always disclosure-controlled
    load_id     BIGINT NOT NULL,
    PRIMARY KEY (month, area_code, age_band, sex, source, signal_type)
);

CREATE TABLE IF NOT EXISTS plan (
    plan_id      VARCHAR PRIMARY KEY,
    organisation VARCHAR NOT NULL,
    kommun_code  VARCHAR NOT NULL,     -- the (first) kommun
    lpo_codes    VARCHAR[],
    year         INTEGER NOT NULL,
    source_file  VARCHAR NOT NULL,
    metadata_from VARCHAR,             -- where organisation/kommun/LPO/year came from
    load_id      BIGINT NOT NULL,
    kommun_codes VARCHAR[]             -- every kommun of a plan several share; null: kommun_code alone
);
-- Added after the first warehouses were built: a warehouse of before gets the column here.
ALTER TABLE plan ADD COLUMN IF NOT EXISTS kommun_codes VARCHAR[];

CREATE TABLE IF NOT EXISTS measure (
    measure_id       VARCHAR PRIMARY KEY,
    plan_id          VARCHAR NOT NULL,
    prioritised_area VARCHAR NOT NULL,
    problem          VARCHAR,
    cause            VARCHAR,
    title            VARCHAR NOT NULL,
    description      VARCHAR,
    operational_goal VARCHAR,
    due              VARCHAR,
    responsible      VARCHAR,
    is_line_work     BOOLEAN NOT NULL,
    status           VARCHAR NOT NULL, -- uppnådd | delvis uppnådd | påbörjad | ej uppnådd | ej bedömd
    source_sheet     VARCHAR,
    source_row       INTEGER,
    load_id          BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS measure_followup (
    measure_id    VARCHAR NOT NULL,
    followup_date DATE,                -- null for a VB entry without a date
    round         VARCHAR NOT NULL,    -- T1 | T2 | T3 | VB
    text          VARCHAR NOT NULL,
    status        VARCHAR NOT NULL     -- the status assessed in this entry, else ej bedömd
);

CREATE TABLE IF NOT EXISTS plan_analysis (
    plan_id          VARCHAR NOT NULL,
    prioritised_area VARCHAR NOT NULL,
    problems         INTEGER,          -- counted by the importer
    causes           INTEGER,
    measures         INTEGER,
    sheet_problems   INTEGER,          -- as the workbook's analysis sheet states (null if absent)
    sheet_causes     INTEGER,
    sheet_measures   INTEGER
);

CREATE TABLE IF NOT EXISTS kolada_value (
    kpi_id       VARCHAR NOT NULL,
    kpi_title    VARCHAR,
    kommun_code  VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    gender       VARCHAR NOT NULL,     -- T (total) | M | K
    value        DOUBLE,
    status       VARCHAR,              -- Kolada's own status flag, if any
    preliminary  BOOLEAN NOT NULL DEFAULT FALSE,
    source       VARCHAR NOT NULL,
    retrieved_at TIMESTAMP,
    load_id      BIGINT NOT NULL,
    PRIMARY KEY (kpi_id, kommun_code, year, gender)
);

CREATE TABLE IF NOT EXISTS bra_statistic (
    area_code        VARCHAR NOT NULL, -- polisregion, län or kommun code, or SE for riket
    offence_category VARCHAR NOT NULL,
    year             INTEGER NOT NULL,
    count            BIGINT,
    per_100k         DOUBLE,
    preliminary      BOOLEAN NOT NULL DEFAULT FALSE,
    source           VARCHAR NOT NULL,
    retrieved_at     TIMESTAMP,
    load_id          BIGINT NOT NULL,
    PRIMARY KEY (area_code, offence_category, year)
);

CREATE TABLE IF NOT EXISTS load_log (
    load_id       BIGINT PRIMARY KEY,
    source_file   VARCHAR NOT NULL,    -- file name as given (no directories)
    sha256        VARCHAR NOT NULL,
    source_format VARCHAR NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,  -- local time of the load
    rows_accepted BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL,
    status        VARCHAR NOT NULL,    -- ok | replaced (a corrected file superseded it) | removed (python -m pipelines remove)
    message       VARCHAR
);

-- What a load replaced that removing it would not bring back (an earlier version of its
-- file, a stored plan, older versions of events, values stored under the same key), one
-- row each, in words for the message: `python -m pipelines remove` refuses such a load.
CREATE TABLE IF NOT EXISTS load_replaced (
    load_id  BIGINT NOT NULL,
    replaced VARCHAR NOT NULL
);

-- Rows a load offered that an earlier load had stored already (kept under the earlier
-- one, not added again), per earlier load: removing the earlier load alone would lose them.
CREATE TABLE IF NOT EXISTS load_shared (
    load_id         BIGINT NOT NULL,
    earlier_load_id BIGINT NOT NULL,
    rows            BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS rejected_row (
    load_id    BIGINT NOT NULL,
    row_number BIGINT,                 -- row as a spreadsheet shows it (header is row 1)
    "column"   VARCHAR,
    reason     VARCHAR NOT NULL        -- never the row's content
);

-- Which version of each mart's SQL built it (pipelines/marts.py): a mart whose SQL has
-- changed since is outdated, and the next load or `python -m pipelines marts` rebuilds it.
CREATE TABLE IF NOT EXISTS built_mart (
    mart       VARCHAR PRIMARY KEY,
    sql_sha256 VARCHAR NOT NULL,
    built_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS dataset_info (
    key   VARCHAR PRIMARY KEY,         -- e.g. demo = 'true', demo_seed, built_at
    value VARCHAR
);
