SELECT
  '2025-06' AS "period",
  "t19"."village_code",
  "t19"."household_code",
  "t19"."member_id",
  'R2-INC-01' AS "rule_id",
  1 AS "rule_version",
  'registry' AS "department",
  CAST(NULL AS TEXT) AS "risk_type",
  'UNSTABLE' AS "category",
  "t19"."event_date",
  "t19"."value",
  "t19"."value2",
  "t19"."threshold",
  "t19"."share",
  "t19"."detail"
FROM (
  SELECT
    "t18"."household_code",
    "t18"."member_id",
    "t18"."event_date",
    "t18"."value",
    "t18"."value2",
    "t18"."threshold",
    "t18"."share",
    "t18"."detail",
    "t4"."village_code",
    "t4"."monitoring_category",
    "t4"."risk_types",
    "t4"."risk_eliminated"
  FROM (
    SELECT
      "t16"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      "t16"."pcni" AS "value",
      CAST(NULL AS DOUBLE) AS "value2",
      8700.0 AS "threshold",
      CAST(NULL AS DOUBLE) AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t15"."household_code",
        "t15"."months",
        "t15"."members",
        "t15"."oop",
        "t15"."net",
        "t15"."pcni"
      FROM (
        SELECT
          "t13"."household_code",
          "t13"."months",
          "t13"."members",
          "t13"."oop",
          (
            "t13"."net_sum" * 12
          ) / "t13"."months" AS "net",
          (
            (
              "t13"."net_sum" * 12
            ) / "t13"."months"
          ) / "t13"."members" AS "pcni"
        FROM (
          SELECT
            "t12"."household_code",
            "t12"."net_sum",
            "t12"."months",
            "t12"."oop",
            "t9"."members"
          FROM (
            SELECT
              "t10"."household_code",
              SUM("t10"."net") AS "net_sum",
              COUNT(DISTINCT "t10"."period") AS "months",
              CAST(SUM(COALESCE("t10"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
            FROM (
              SELECT
                "t1"."household_code",
                "t1"."period",
                "t1"."wage",
                "t1"."business",
                "t1"."property",
                "t1"."transfer",
                "t1"."business_cost",
                "t1"."insurance_payout",
                "t1"."compliant_oop_medical",
                CAST((
                  COALESCE("t1"."wage", 0) + COALESCE("t1"."business", 0) + COALESCE("t1"."property", 0) + COALESCE("t1"."transfer", 0)
                ) - COALESCE("t1"."business_cost", 0) AS DOUBLE) AS "net"
              FROM "incomes" AS "t1"
              WHERE
                "t1"."period" >= '2024-07' AND "t1"."period" <= '2025-06'
            ) AS "t10"
            GROUP BY
              1
          ) AS "t12"
          INNER JOIN (
            SELECT
              "t5"."household_code",
              COUNT("t5"."member_id") AS "members"
            FROM (
              SELECT
                *
              FROM "members" AS "t2"
              WHERE
                "t2"."member_status" = 'active'
            ) AS "t5"
            GROUP BY
              1
          ) AS "t9"
            ON "t12"."household_code" = "t9"."household_code"
        ) AS "t13"
        WHERE
          "t13"."months" >= 6 AND "t13"."members" > 0
      ) AS "t15"
      INNER JOIN (
        SELECT
          "t0"."household_code"
        FROM "households" AS "t0"
        WHERE
          "t0"."household_type" = 'poverty_alleviated'
          AND (
            (
              "t0"."monitoring_category" IS NULL
            )
            OR COALESCE("t0"."risk_eliminated", FALSE)
          )
      ) AS "t7"
        ON "t15"."household_code" = "t7"."household_code"
    ) AS "t16"
    WHERE
      "t16"."pcni" < 8700.0
  ) AS "t18"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t4"
    ON "t18"."household_code" = "t4"."household_code"
) AS "t19"
WHERE
  NOT (
    (
      "t19"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t19"."risk_eliminated", FALSE)
    )
  )
