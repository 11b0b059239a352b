SELECT
  '2025-06' AS "period",
  "t12"."village_code",
  "t12"."household_code",
  "t12"."member_id",
  'R7-MED-02' AS "rule_id",
  1 AS "rule_version",
  'medical' AS "department",
  'ILLNESS' AS "risk_type",
  CAST(NULL AS TEXT) AS "category",
  "t12"."event_date",
  "t12"."value",
  "t12"."value2",
  "t12"."threshold",
  "t12"."share",
  "t12"."detail"
FROM (
  SELECT
    "t11"."household_code",
    "t11"."member_id",
    "t11"."event_date",
    "t11"."value",
    "t11"."value2",
    "t11"."threshold",
    "t11"."share",
    "t11"."detail",
    "t3"."village_code",
    "t3"."monitoring_category",
    "t3"."risk_types",
    "t3"."risk_eliminated"
  FROM (
    SELECT
      "t9"."household_code",
      "t9"."member_id",
      "t9"."last" AS "event_date",
      "t9"."total" AS "value",
      12.0 AS "value2",
      CASE WHEN "t9"."low" THEN 10000.0 ELSE 26000.0 END AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t8"."household_code",
        "t8"."member_id",
        "t8"."total",
        "t8"."last",
        "t6"."low"
      FROM (
        SELECT
          "t4"."household_code",
          "t4"."member_id",
          CAST(SUM("t4"."oop_compliant") AS DOUBLE) AS "total",
          MAX("t4"."settle_date") AS "last"
        FROM (
          SELECT
            *
          FROM "medical" AS "t1"
          WHERE
            "t1"."batch_month" <= '2025-06'
            AND "t1"."settle_date" >= MAKE_DATE(2024, 7, 1)
            AND "t1"."settle_date" < MAKE_DATE(2025, 7, 1)
            AND "t1"."household_code" IS NOT NULL
        ) AS "t4"
        GROUP BY
          1,
          2
      ) AS "t8"
      INNER JOIN (
        SELECT
          "t0"."household_code",
          (
            "t0"."household_type" = 'poverty_alleviated'
          )
          OR (
            "t0"."monitoring_category" IS NOT NULL
          ) AS "low"
        FROM "households" AS "t0"
      ) AS "t6"
        ON "t8"."household_code" = "t6"."household_code"
    ) AS "t9"
    WHERE
      "t9"."total" > CASE WHEN "t9"."low" THEN 10000.0 ELSE 26000.0 END
  ) AS "t11"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t3"
    ON "t11"."household_code" = "t3"."household_code"
) AS "t12"
WHERE
  NOT (
    (
      "t12"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t12"."risk_eliminated", FALSE)
    )
    AND COALESCE(ARRAY_CONTAINS("t12"."risk_types", 'ILLNESS'), FALSE)
  )
