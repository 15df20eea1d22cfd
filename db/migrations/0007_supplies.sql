-- 0007: emergency supplies (应急物资, DOMAIN.md §6): the GB/T 38565-2020 category codes,
-- depots (储备库/点), supply items, depot stock and the stock ledger.
--
-- Codes are 7 digits in 4 levels, ^[1-3](\d{2}){3}$: one digit for level 1 (1 基本生活保障物资,
-- 2 应急装备及配套物资, 3 工程材料与机械加工设备), then two digits each for levels 2-4 (01-99;
-- 99 is the catch-all 其他 at any level). A category above level 4 is stored with its
-- lower levels as 00: 2000000 (level 1), 2010000 (level 2), 2010100 (level 3), 2010101
-- (level 4). Supply items are coded at level 4.
--
-- Level 1 below is the standard's. Levels 2-4 are NOT the standard's official code table
-- (which is not on this machine): they are the project's working catalogue following the
-- standard's structure, covering what a county actually stocks; administrators correct and
-- extend it (nxcommand.supplies.add_category).
--
-- Stock moves only through stock_movements (nxcommand.ledger): 入库, 出库, 调拨, 盘点. The
-- cached balance depot_stock.quantity is updated in the same transaction and can never be
-- negative; movements are never edited or deleted (a mistake is corrected by a
-- counter-movement), which triggers enforce.

CREATE TABLE supply_categories (
    code        TEXT PRIMARY KEY CHECK (length(code) = 7
                    AND code GLOB '[1-3][0-9][0-9][0-9][0-9][0-9][0-9]'
                    -- a level is 00 only if every level below it is 00 as well
                    AND (substr(code, 2, 2) <> '00' OR substr(code, 4, 4) = '0000')
                    AND (substr(code, 4, 2) <> '00' OR substr(code, 6, 2) = '00')),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    parent_code TEXT REFERENCES supply_categories(code),
    level       INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),
    note        TEXT NOT NULL DEFAULT '',
    CHECK (level = 1 + (substr(code, 2, 2) <> '00') + (substr(code, 4, 2) <> '00')
                     + (substr(code, 6, 2) <> '00')),
    CHECK (parent_code IS (CASE level
        WHEN 1 THEN NULL
        WHEN 2 THEN substr(code, 1, 1) || '000000'
        WHEN 3 THEN substr(code, 1, 3) || '0000'
        ELSE substr(code, 1, 5) || '00' END))
);
CREATE INDEX supply_categories_parent ON supply_categories(parent_code);

-- Depots: 县级 / 乡镇级 / 村级; 政府储备 / 企业代储 (holder names the enterprise) / 社会储备.
CREATE TABLE depots (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    level       TEXT NOT NULL CHECK (level IN ('县级', '乡镇级', '村级')),
    ownership   TEXT NOT NULL CHECK (ownership IN ('政府储备', '企业代储', '社会储备')),
    holder      TEXT NOT NULL DEFAULT '',          -- 代储: the enterprise holding the stock
    town_id     INTEGER REFERENCES admin_units(id),
    village_id  INTEGER REFERENCES admin_units(id),
    address     TEXT NOT NULL DEFAULT '',
    keeper_id   INTEGER REFERENCES people(id),     -- 保管员
    phone       TEXT,
    lon         REAL CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
    lat         REAL CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
    area_m2     REAL CHECK (area_m2 IS NULL OR area_m2 > 0),
    capacity_m3 REAL CHECK (capacity_m3 IS NULL OR capacity_m3 > 0),
    note        TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK ((ownership = '企业代储') = (length(holder) > 0)),
    CHECK (level = '县级' OR town_id IS NOT NULL),
    CHECK ((level = '村级') = (village_id IS NOT NULL)),
    CHECK ((lon IS NULL) = (lat IS NULL))
);
CREATE INDEX depots_town ON depots(town_id);

-- Supply items: what is stocked, coded at level 4 of the catalogue.
CREATE TABLE supply_items (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL REFERENCES supply_categories(code)
                   CHECK (substr(code, 6, 2) <> '00'),
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    spec       TEXT NOT NULL DEFAULT '',           -- 规格型号
    unit       TEXT NOT NULL CHECK (length(trim(unit)) > 0),
    note       TEXT NOT NULL DEFAULT '',
    version    INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (code, name, spec)
);
CREATE INDEX supply_items_code ON supply_items(code);

-- Stock of one item in one depot. quantity is the cached balance of the ledger.
CREATE TABLE depot_stock (
    id            INTEGER PRIMARY KEY,
    depot_id      INTEGER NOT NULL REFERENCES depots(id),
    item_id       INTEGER NOT NULL REFERENCES supply_items(id),
    quantity      INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    minimum       INTEGER NOT NULL DEFAULT 0 CHECK (minimum >= 0),        -- 最低库存
    expiry_date   TEXT CHECK (expiry_date IS NULL
                      OR expiry_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    rotation_date TEXT CHECK (rotation_date IS NULL
                      OR rotation_date GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    location      TEXT NOT NULL DEFAULT '',         -- 货位
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (depot_id, item_id)
);
CREATE INDEX depot_stock_item ON depot_stock(item_id);

-- The ledger. depot_id is the depot whose balance moves (调拨: the source); to_depot_id is
-- the destination of a 调拨. quantity is the amount moved (> 0); for 盘点 it is the signed
-- difference counted - book, and the row is the reconciliation record (book, counted, reason).
CREATE TABLE stock_movements (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('入库', '出库', '调拨', '盘点')),
    item_id          INTEGER NOT NULL REFERENCES supply_items(id),
    depot_id         INTEGER NOT NULL REFERENCES depots(id),
    to_depot_id      INTEGER REFERENCES depots(id),
    quantity         INTEGER NOT NULL,
    book_quantity    INTEGER CHECK (book_quantity IS NULL OR book_quantity >= 0),
    counted_quantity INTEGER CHECK (counted_quantity IS NULL OR counted_quantity >= 0),
    balance_after    INTEGER NOT NULL CHECK (balance_after >= 0),
    to_balance_after INTEGER CHECK (to_balance_after IS NULL OR to_balance_after >= 0),
    moved_at         TEXT NOT NULL CHECK (moved_at GLOB
                         '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]'),
    actor_id         INTEGER REFERENCES people(id),
    actor_name       TEXT NOT NULL CHECK (length(trim(actor_name)) > 0),
    reason           TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    ref              TEXT NOT NULL DEFAULT '',      -- 出库: the event / response it went to
    recorded_at      TEXT NOT NULL,
    CHECK (kind = '盘点' OR quantity > 0),
    CHECK ((kind = '调拨') = (to_depot_id IS NOT NULL)),
    CHECK ((kind = '调拨') = (to_balance_after IS NOT NULL)),
    CHECK (to_depot_id IS NULL OR to_depot_id <> depot_id),
    CHECK ((kind = '盘点') = (counted_quantity IS NOT NULL)),
    CHECK ((kind = '盘点') = (book_quantity IS NOT NULL)),
    CHECK (kind <> '盘点' OR (quantity = counted_quantity - book_quantity
                               AND balance_after = counted_quantity))
);
CREATE INDEX stock_movements_depot_item ON stock_movements(depot_id, item_id);
CREATE INDEX stock_movements_to ON stock_movements(to_depot_id, item_id) WHERE to_depot_id IS NOT NULL;
CREATE INDEX stock_movements_item ON stock_movements(item_id);

CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements
BEGIN SELECT RAISE(ABORT, '物资出入库记录不能修改；如有错误，请登记一笔冲正的出入库或盘点'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements
BEGIN SELECT RAISE(ABORT, '物资出入库记录不能删除；如有错误，请登记一笔冲正的出入库或盘点'); END;

-- ------------------------------------------------------------------ the working catalogue
-- Level 1: GB/T 38565-2020. Levels 2-4: the project's working catalogue following the
-- standard's structure (see the note at the top); administrators correct and extend it.

INSERT INTO supply_categories (code, name, parent_code, level) VALUES
    ('1000000', '基本生活保障物资', NULL, 1),
    ('2000000', '应急装备及配套物资', NULL, 1),
    ('3000000', '工程材料与机械加工设备', NULL, 1);

INSERT INTO supply_categories (code, name, parent_code, level) VALUES
    ('1010000', '住宿类', '1000000', 2),
    ('1020000', '衣被类', '1000000', 2),
    ('1030000', '食品饮用水类', '1000000', 2),
    ('1040000', '生活用品类', '1000000', 2),
    ('1990000', '其他基本生活保障物资', '1000000', 2),
    ('2010000', '个体防护装备', '2000000', 2),
    ('2020000', '抢险救援装备', '2000000', 2),
    ('2030000', '森林灭火装备', '2000000', 2),
    ('2040000', '动力照明装备', '2000000', 2),
    ('2050000', '应急通信装备', '2000000', 2),
    ('2990000', '其他应急装备及配套物资', '2000000', 2),
    ('3010000', '防汛抢险材料', '3000000', 2),
    ('3020000', '工程机械设备', '3000000', 2),
    ('3990000', '其他工程材料与机械加工设备', '3000000', 2);

INSERT INTO supply_categories (code, name, parent_code, level) VALUES
    ('1010100', '帐篷', '1010000', 3),
    ('1010200', '床具', '1010000', 3),
    ('1010300', '简易住所', '1010000', 3),
    ('1019900', '其他住宿类物资', '1010000', 3),
    ('1020100', '被褥', '1020000', 3),
    ('1020200', '防寒服装', '1020000', 3),
    ('1020300', '雨具', '1020000', 3),
    ('1029900', '其他衣被类物资', '1020000', 3),
    ('1030100', '饮用水', '1030000', 3),
    ('1030200', '方便食品', '1030000', 3),
    ('1039900', '其他食品', '1030000', 3),
    ('1040100', '个人卫生用品', '1040000', 3),
    ('1040200', '炊具餐具', '1040000', 3),
    ('1049900', '其他生活用品', '1040000', 3),
    ('1999900', '其他', '1990000', 3),
    ('2010100', '水上救生器材', '2010000', 3),
    ('2010200', '身体防护用品', '2010000', 3),
    ('2019900', '其他个体防护装备', '2010000', 3),
    ('2020100', '水上救援装备', '2020000', 3),
    ('2020200', '破拆救援装备', '2020000', 3),
    ('2020300', '绳索救援器材', '2020000', 3),
    ('2029900', '其他抢险救援装备', '2020000', 3),
    ('2030100', '灭火机具', '2030000', 3),
    ('2030200', '扑火手工具', '2030000', 3),
    ('2039900', '其他森林灭火装备', '2030000', 3),
    ('2040100', '排水设备', '2040000', 3),
    ('2040200', '发电设备', '2040000', 3),
    ('2040300', '照明设备', '2040000', 3),
    ('2049900', '其他动力照明装备', '2040000', 3),
    ('2050100', '无线通信设备', '2050000', 3),
    ('2059900', '其他应急通信装备', '2050000', 3),
    ('2999900', '其他', '2990000', 3),
    ('3010100', '袋类材料', '3010000', 3),
    ('3010200', '土工及覆盖材料', '3010000', 3),
    ('3010300', '砂石桩木', '3010000', 3),
    ('3019900', '其他防汛抢险材料', '3010000', 3),
    ('3020100', '土方机械', '3020000', 3),
    ('3029900', '其他工程机械设备', '3020000', 3),
    ('3999900', '其他', '3990000', 3);

INSERT INTO supply_categories (code, name, parent_code, level) VALUES
    ('1010101', '单帐篷', '1010100', 4),
    ('1010102', '棉帐篷', '1010100', 4),
    ('1010103', '框架式帐篷', '1010100', 4),
    ('1010199', '其他帐篷', '1010100', 4),
    ('1010201', '折叠床', '1010200', 4),
    ('1010202', '行军床', '1010200', 4),
    ('1010299', '其他床具', '1010200', 4),
    ('1010301', '折叠隔断', '1010300', 4),
    ('1010399', '其他简易住所', '1010300', 4),
    ('1019999', '其他住宿类物资', '1019900', 4),
    ('1020101', '棉被', '1020100', 4),
    ('1020102', '毛毯', '1020100', 4),
    ('1020103', '睡袋', '1020100', 4),
    ('1020104', '毛巾被', '1020100', 4),
    ('1020199', '其他被褥', '1020100', 4),
    ('1020201', '棉大衣', '1020200', 4),
    ('1020202', '棉衣裤', '1020200', 4),
    ('1020299', '其他防寒服装', '1020200', 4),
    ('1020301', '雨衣', '1020300', 4),
    ('1020302', '雨靴', '1020300', 4),
    ('1020399', '其他雨具', '1020300', 4),
    ('1029999', '其他衣被类物资', '1029900', 4),
    ('1030101', '瓶装饮用水', '1030100', 4),
    ('1030102', '桶装饮用水', '1030100', 4),
    ('1030199', '其他饮用水', '1030100', 4),
    ('1030201', '方便面', '1030200', 4),
    ('1030202', '饼干', '1030200', 4),
    ('1030203', '自热食品', '1030200', 4),
    ('1030299', '其他方便食品', '1030200', 4),
    ('1039999', '其他食品', '1039900', 4),
    ('1040101', '家庭应急包', '1040100', 4),
    ('1040102', '洗漱用品包', '1040100', 4),
    ('1040199', '其他个人卫生用品', '1040100', 4),
    ('1040201', '炊具', '1040200', 4),
    ('1040299', '其他炊具餐具', '1040200', 4),
    ('1049999', '其他生活用品', '1049900', 4),
    ('1999999', '其他基本生活保障物资', '1999900', 4),
    ('2010101', '救生衣', '2010100', 4),
    ('2010102', '救生圈', '2010100', 4),
    ('2010199', '其他水上救生器材', '2010100', 4),
    ('2010201', '安全帽', '2010200', 4),
    ('2010202', '防护服', '2010200', 4),
    ('2010299', '其他身体防护用品', '2010200', 4),
    ('2019999', '其他个体防护装备', '2019900', 4),
    ('2020101', '冲锋舟', '2020100', 4),
    ('2020102', '橡皮艇', '2020100', 4),
    ('2020103', '舷外机', '2020100', 4),
    ('2020199', '其他水上救援装备', '2020100', 4),
    ('2020201', '油锯', '2020200', 4),
    ('2020202', '液压破拆工具', '2020200', 4),
    ('2020299', '其他破拆救援装备', '2020200', 4),
    ('2020301', '救援绳', '2020300', 4),
    ('2020302', '救生抛投器', '2020300', 4),
    ('2020399', '其他绳索救援器材', '2020300', 4),
    ('2029999', '其他抢险救援装备', '2029900', 4),
    ('2030101', '风力灭火机', '2030100', 4),
    ('2030102', '背负式水枪', '2030100', 4),
    ('2030103', '高压细水雾灭火机', '2030100', 4),
    ('2030199', '其他灭火机具', '2030100', 4),
    ('2030201', '二号工具', '2030200', 4),
    ('2030202', '砍刀', '2030200', 4),
    ('2030299', '其他扑火手工具', '2030200', 4),
    ('2039999', '其他森林灭火装备', '2039900', 4),
    ('2040101', '潜水泵', '2040100', 4),
    ('2040102', '柴油机抽水泵', '2040100', 4),
    ('2040199', '其他排水设备', '2040100', 4),
    ('2040201', '柴油发电机组', '2040200', 4),
    ('2040202', '汽油发电机', '2040200', 4),
    ('2040299', '其他发电设备', '2040200', 4),
    ('2040301', '移动照明灯塔', '2040300', 4),
    ('2040302', '强光搜索灯', '2040300', 4),
    ('2040303', '头灯手电', '2040300', 4),
    ('2040399', '其他照明设备', '2040300', 4),
    ('2049999', '其他动力照明装备', '2049900', 4),
    ('2050101', '对讲机', '2050100', 4),
    ('2050102', '卫星电话', '2050100', 4),
    ('2050199', '其他无线通信设备', '2050100', 4),
    ('2059999', '其他应急通信装备', '2059900', 4),
    ('2999999', '其他应急装备及配套物资', '2999900', 4),
    ('3010101', '编织袋', '3010100', 4),
    ('3010102', '麻袋', '3010100', 4),
    ('3010103', '吸水膨胀袋', '3010100', 4),
    ('3010199', '其他袋类材料', '3010100', 4),
    ('3010201', '土工布', '3010200', 4),
    ('3010202', '彩条布', '3010200', 4),
    ('3010299', '其他土工及覆盖材料', '3010200', 4),
    ('3010301', '砂石料', '3010300', 4),
    ('3010302', '木桩', '3010300', 4),
    ('3010399', '其他砂石桩木', '3010300', 4),
    ('3019999', '其他防汛抢险材料', '3019900', 4),
    ('3020101', '挖掘机', '3020100', 4),
    ('3020102', '装载机', '3020100', 4),
    ('3020199', '其他土方机械', '3020100', 4),
    ('3029999', '其他工程机械设备', '3029900', 4),
    ('3999999', '其他工程材料与机械加工设备', '3999900', 4);
