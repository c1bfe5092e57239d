-- hostile names
SELECT [Order], "a]b", [São Paulo], [it's], "[x]"
FROM [São Paulo]."a]b"
WHERE [it's] = N'it''s' AND [Order] = N'São Paulo ]''; DROP TABLE x; --';

