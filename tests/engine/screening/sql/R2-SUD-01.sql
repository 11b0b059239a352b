SELECT
  '2025-06' AS "period",
  "t22"."village_code",
  "t22"."household_code",
  "t22"."member_id",
  'R2-SUD-01' AS "rule_id",
  1 AS "rule_version",
  'registry' AS "department",
  'ILLNESS' AS "risk_type",
  'SUDDEN' AS "category",
  "t22"."event_date",
  "t22"."value",
  "t22"."value2",
  "t22"."threshold",
  "t22"."share",
  "t22"."detail"
FROM (
  SELECT
    "t21"."household_code",
    "t21"."member_id",
    "t21"."event_date",
    "t21"."value",
    "t21"."value2",
    "t21"."threshold",
    "t21"."share",
    "t21"."detail",
    "t5"."village_code",
    "t5"."monitoring_category",
    "t5"."risk_types",
    "t5"."risk_eliminated"
  FROM (
    SELECT
      "t19"."household_code",
      CAST(NULL AS TEXT) AS "member_id",
      CAST(NULL AS DATE) AS "event_date",
      "t19"."adj" AS "value",
      "t19"."pcni" AS "value2",
      8700.0 AS "threshold",
      "t19"."rigid" AS "share",
      CAST(NULL AS TEXT) AS "detail"
    FROM (
      SELECT
        "t18"."household_code",
        "t18"."months",
        "t18"."members",
        "t18"."oop",
        "t18"."net",
        "t18"."pcni",
        "t18"."household_code_right",
        "t18"."feed_oop",
        GREATEST("t18"."oop", COALESCE("t18"."feed_oop", 0.0)) AS "rigid",
        (
          "t18"."net" - GREATEST("t18"."oop", COALESCE("t18"."feed_oop", 0.0))
        ) / "t18"."members" AS "adj"
      FROM (
        SELECT
          "t17"."household_code",
          "t17"."months",
          "t17"."members",
          "t17"."oop",
          "t17"."net",
          "t17"."pcni",
          "t11"."household_code" AS "household_code_right",
          "t11"."feed_oop"
        FROM (
          SELECT
            "t15"."household_code",
            "t15"."months",
            "t15"."members",
            "t15"."oop",
            (
              "t15"."net_sum" * 12
            ) / "t15"."months" AS "net",
            (
              (
                "t15"."net_sum" * 12
              ) / "t15"."months"
            ) / "t15"."members" AS "pcni"
          FROM (
            SELECT
              "t14"."household_code",
              "t14"."net_sum",
              "t14"."months",
              "t14"."oop",
              "t10"."members"
            FROM (
              SELECT
                "t12"."household_code",
                SUM("t12"."net") AS "net_sum",
                COUNT(DISTINCT "t12"."period") AS "months",
                CAST(SUM(COALESCE("t12"."compliant_oop_medical", 0)) AS DOUBLE) AS "oop"
              FROM (
                SELECT
                  "t2"."household_code",
                  "t2"."period",
                  "t2"."wage",
                  "t2"."business",
                  "t2"."property",
                  "t2"."transfer",
                  "t2"."business_cost",
                  "t2"."insurance_payout",
                  "t2"."compliant_oop_medical",
                  CAST((
                    COALESCE("t2"."wage", 0) + COALESCE("t2"."business", 0) + COALESCE("t2"."property", 0) + COALESCE("t2"."transfer", 0)
                  ) - COALESCE("t2"."business_cost", 0) AS DOUBLE) AS "net"
                FROM "incomes" AS "t2"
                WHERE
                  "t2"."period" >= '2024-07' AND "t2"."period" <= '2025-06'
              ) AS "t12"
              GROUP BY
                1
            ) AS "t14"
            INNER JOIN (
              SELECT
                "t7"."household_code",
                COUNT("t7"."member_id") AS "members"
              FROM (
                SELECT
                  *
                FROM "members" AS "t3"
                WHERE
                  "t3"."member_status" = 'active'
              ) AS "t7"
              GROUP BY
                1
            ) AS "t10"
              ON "t14"."household_code" = "t10"."household_code"
          ) AS "t15"
          WHERE
            "t15"."months" >= 6 AND "t15"."members" > 0
        ) AS "t17"
        LEFT OUTER JOIN (
          SELECT
            "t6"."household_code",
            CAST(SUM("t6"."oop_compliant") AS DOUBLE) AS "feed_oop"
          FROM (
            SELECT
              *
            FROM "medical" AS "t1"
            WHERE
              "t1"."batch_month" <= '2025-06'
              AND "t1"."settle_date" >= MAKE_DATE(2024, 7, 1)
              AND "t1"."settle_date" < MAKE_DATE(2025, 7, 1)
              AND "t1"."household_code" IS NOT NULL
          ) AS "t6"
          GROUP BY
            1
        ) AS "t11"
          ON "t17"."household_code" = "t11"."household_code"
      ) AS "t18"
    ) AS "t19"
    WHERE
      "t19"."pcni" >= 8700.0 AND "t19"."adj" < 8700.0 AND "t19"."rigid" > 0
  ) AS "t21"
  INNER JOIN (
    SELECT
      "t0"."household_code",
      "t0"."village_code",
      "t0"."monitoring_category",
      "t0"."risk_types",
      "t0"."risk_eliminated"
    FROM "households" AS "t0"
  ) AS "t5"
    ON "t21"."household_code" = "t5"."household_code"
) AS "t22"
WHERE
  NOT (
    (
      "t22"."monitoring_category" IS NOT NULL
    )
    AND NOT (
      COALESCE("t22"."risk_eliminated", FALSE)
    )
  )
