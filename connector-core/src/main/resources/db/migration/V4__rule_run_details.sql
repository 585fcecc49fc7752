-- which connection a rule run evaluated, and how often each rule fired in it
ALTER TABLE rule_run ADD COLUMN source VARCHAR(64) NULL AFTER run_id;
ALTER TABLE rule_run ADD COLUMN rule_hits LONGTEXT NULL COMMENT 'rule id -> subjects it fired on, JSON';
ALTER TABLE forecast_snapshot ADD COLUMN source VARCHAR(64) NULL AFTER run_id;
