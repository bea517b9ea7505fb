"""What the model needs from PostgreSQL that PostgreSQL does not have: Jaro-Winkler.

Splink's PostgreSQL backend has no Jaro-Winkler function, so the PostgreSQL export of the
model (`jcihub link people --export postgres`) calls `jaro_winkler_similarity`, defined
here to give the same values as DuckDB's function of that name (and rapidfuzz's, which
intake matching uses): Jaro similarity with Winkler's bonus of 0.1 per common leading
character, up to four, when the Jaro similarity is above 0.7. Install it once in the
database the model runs in; the export writes it beside the model file.
"""

JARO_WINKLER_FUNCTION = """
CREATE OR REPLACE FUNCTION jaro_winkler_similarity(a text, b text)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    len_a integer := length(a);
    len_b integer := length(b);
    window_size integer := greatest(greatest(length(a), length(b)) / 2 - 1, 0);
    matched_a boolean[] := array_fill(false, ARRAY[greatest(length(a), 1)]);
    matched_b boolean[] := array_fill(false, ARRAY[greatest(length(b), 1)]);
    matches integer := 0;
    half_transpositions integer := 0;
    prefix integer := 0;
    j integer := 1;
    jaro double precision;
BEGIN
    IF len_a = 0 OR len_b = 0 THEN
        RETURN 0.0;
    END IF;
    FOR i IN 1..len_a LOOP
        FOR k IN greatest(1, i - window_size)..least(len_b, i + window_size) LOOP
            IF NOT matched_b[k] AND substr(a, i, 1) = substr(b, k, 1) THEN
                matched_a[i] := true;
                matched_b[k] := true;
                matches := matches + 1;
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
    IF matches = 0 THEN
        RETURN 0.0;
    END IF;
    FOR i IN 1..len_a LOOP
        IF matched_a[i] THEN
            WHILE NOT matched_b[j] LOOP
                j := j + 1;
            END LOOP;
            IF substr(a, i, 1) <> substr(b, j, 1) THEN
                half_transpositions := half_transpositions + 1;
            END IF;
            j := j + 1;
        END IF;
    END LOOP;
    jaro := (matches::double precision / len_a + matches::double precision / len_b
             + (matches - half_transpositions / 2)::double precision / matches) / 3;
    IF jaro <= 0.7 THEN
        RETURN jaro;
    END IF;
    WHILE prefix < least(4, len_a, len_b)
          AND substr(a, prefix + 1, 1) = substr(b, prefix + 1, 1) LOOP
        prefix := prefix + 1;
    END LOOP;
    RETURN jaro + prefix * 0.1 * (1 - jaro);
END;
$$;
"""
