SELECT
  '2025-06' AS "period",
  "t14"."village_code",
  "t14"."household_code",
  "t14"."member_id",
  'R7-HR-01' AS "rule_id",
  1 AS "rule_version",
  'hr_social_security' AS "department",
  'UNSTABLE_EMPLOYMENT' AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t14"."event_date",
  "t14"."value",
  "t14"."value2",
  "t14"."threshold",
  "t14"."share",
  "t14"."detail"
FROM (
  SELECT
    "t13"."household_code",
    "t13"."member_id",
    "t13"."event_date",
    "t13"."value",
    "t13"."value2",
    "t13"."threshold",
    "t13"."share",
    "t13"."detail",
    "t3"."village_code",
    "t3"."monitoring_category",
    "t3"."risk_types",
    "t3"."risk_eliminated"
  FROM (
    SELECT
      "t11"."household_code",
      "t11"."member_id",
      "t11"."started" AS "event_date",
      "t11"."months" AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      3.0 AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t10"."household_code",
        "t10"."member_id",
        "t10"."started",
        "t10"."member_id_right",
        "t10"."ended",
        CAST(24306 - (
          (
            EXTRACT(year FROM "t10"."started") * 12
          ) + EXTRACT(month FROM "t10"."started")
        ) AS DOUBLE) AS "months"
      FROM (
        SELECT
          "t8"."household_code",
          "t8"."member_id",
          "t8"."started",
          "t9"."member_id" AS "member_id_right",
          "t9"."ended"
        FROM (
          SELECT
            "t4"."household_code",
            "t4"."member_id",
            MAX("t4"."event_date") AS "started"
          FROM (
            SELECT
              *
            FROM "hr_social_security" AS "t1"
            WHERE
              "t1"."batch_month" <= '2025-06'
              AND "t1"."event_date" < MAKE_DATE(2025, 7, 1)
              AND "t1"."household_code" IS NOT NULL
              AND "t1"."event" = 'returned_without_work'
          ) AS "t4"
          GROUP BY
            1,
            2
        ) AS "t8"
        LEFT OUTER JOIN (
          SELECT
            "t5"."member_id",
            MAX("t5"."event_date") AS "ended"
          FROM (
            SELECT
              *
            FROM "hr_social_security" AS "t1"
            WHERE
              "t1"."batch_month" <= '2025-06'
              AND "t1"."event_date" < MAKE_DATE(2025, 7, 1)
              AND "t1"."household_code" IS NOT NULL
              AND "t1"."event" IN ('employed', 're_employed')
          ) AS "t5"
          GROUP BY
            1
        ) AS "t9"
          ON "t8"."member_id" = "t9"."member_id"
      ) AS "t10"
      WHERE
        (
          "t10"."ended" IS NULL
        ) OR (
          "t10"."ended" < "t10"."started"
        )
    ) AS "t11"
    WHERE
      "t11"."months" >= 3
  ) AS "t13"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t3"
    ON "t13"."household_code" = "t3"."household_code"
) AS "t14"
WHERE
  NOT (
    (
      "t14"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t14"."risk_eliminated", FALSE)
    )
    AND COALESCE(ARRAY_CONTAINS("t14"."risk_types", 'UNSTABLE_EMPLOYMENT'), FALSE)
  )
