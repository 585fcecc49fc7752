-- the org-wide calendar each connection's CRM keeps, as last read: the month its fiscal year starts
-- (Salesforce Organization.FiscalYearStartMonth; for a CRM that reports none, the connection's
-- configured month) and the org's default time zone. Rules, audits and the status page count
-- quarters from it; a failed read leaves the last good row in place.
CREATE TABLE crm_calendar (
  source                  VARCHAR(64)  NOT NULL,
  fiscal_year_start_month TINYINT      NOT NULL,
  fiscal_year_from_crm    BOOLEAN      NOT NULL COMMENT 'false: the connection configured it, the CRM reports none',
  time_zone               VARCHAR(64)  NULL COMMENT 'the org default zone as the CRM names it',
  read_at                 DATETIME(3)  NOT NULL,
  PRIMARY KEY (source)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
